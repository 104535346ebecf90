import { useId, type ReactNode } from 'react'

interface FieldProps {
  label: string
  /** The server's problem with this field, shown under it and announced by screen readers. */
  problem?: string | undefined
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode
}

/** A labelled form control with its validation message next to it. */
export function Field({ label, problem, children }: FieldProps) {
  const id = useId()
  const problemId = `${id}-problem`
  return (
    <div className={problem ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': problem !== undefined, 'aria-describedby': problem ? problemId : undefined })}
      {problem && (
        <span className="field-problem" id={problemId} role="alert">
          {problem}
        </span>
      )}
    </div>
  )
}
