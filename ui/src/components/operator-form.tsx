import { useState, type SubmitEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useCreateOperator, useUpdateOperator, type Operator } from '../api/operators'
import { ErrorMessage } from './error-message'
import { Field } from './field'
import { problemFor } from './field-problems'

const DEFAULT_MAX_LOAD = 10

/** Creates an operator, or edits the given one's name and limit. */
export function OperatorForm({ operator, onDone }: { operator?: Operator; onDone?: () => void }) {
  const { t } = useTranslation()
  const create = useCreateOperator()
  const update = useUpdateOperator()
  const mutation = operator ? update : create
  const [name, setName] = useState(operator?.name ?? '')
  const [maxLoad, setMaxLoad] = useState(String(operator?.max_load ?? DEFAULT_MAX_LOAD))
  const error = mutation.error

  function submit(event: SubmitEvent) {
    event.preventDefault()
    // The number goes as typed (empty: the default); the server judges it and its answer shows beside the field.
    const typed = { name, max_load: maxLoad.trim() === '' ? undefined : Number(maxLoad) }
    const done = () => {
      if (!operator) {
        setName('')
        setMaxLoad(String(DEFAULT_MAX_LOAD))
      }
      onDone?.()
    }
    if (!operator) {
      create.mutate(typed, { onSuccess: done })
      return
    }
    // Only what changed, so an edit never undoes another supervisor's change to the other field.
    const changes = {
      ...(typed.name !== operator.name && { name: typed.name }),
      ...(typed.max_load !== operator.max_load && { max_load: typed.max_load }),
    }
    update.mutate({ id: operator.id, ...changes }, { onSuccess: done })
  }

  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      <Field label={t('operators.name')} problem={problemFor(error, ['name'], t)}>
        {(props) => <input {...props} value={name} onChange={(event) => setName(event.target.value)} />}
      </Field>
      <Field label={t('operators.maxLoad')} problem={problemFor(error, ['max_load'], t)}>
        {(props) => (
          <input {...props} type="number" inputMode="numeric" min={0} value={maxLoad} onChange={(event) => setMaxLoad(event.target.value)} />
        )}
      </Field>
      <div className="actions">
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {operator ? t('common.save') : t('operators.create')}
        </button>
        {operator && (
          <button type="button" onClick={onDone}>
            {t('common.cancel')}
          </button>
        )}
      </div>
      <ErrorMessage error={error} />
    </form>
  )
}
