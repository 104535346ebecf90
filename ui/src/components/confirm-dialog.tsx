import { useEffect, useRef, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

interface ConfirmDialogProps {
  title: string
  children: ReactNode
  confirmLabel: string
  onConfirm: () => void
  onCancel: () => void
}

/** A modal question (the browser's own dialog: focus kept inside, Escape cancels). */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const { t } = useTranslation()
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    dialog.current?.showModal()
  }, [])
  // Closed before the parent removes it, so the browser hands the focus back to the button that opened it.
  const closeThen = (next: () => void) => () => {
    dialog.current?.close()
    next()
  }
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="confirm-title" onCancel={closeThen(onCancel)}>
      <h2 id="confirm-title">{title}</h2>
      {children}
      <div className="actions">
        <button type="button" onClick={closeThen(onCancel)}>
          {t('common.cancel')}
        </button>
        <button type="button" className="danger" onClick={closeThen(onConfirm)}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  )
}
