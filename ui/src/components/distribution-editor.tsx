import { useState, type SubmitEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { Operator } from '../api/operators'
import { useSaveDistribution, type OperatorWeight } from '../api/sources'
import { ErrorMessage } from './error-message'
import { Field } from './field'
import { problemFor } from './field-problems'

interface Row {
  operator_id: number
  /** As typed, so a bad value reaches the server and comes back with its reason. */
  weight: string
}

interface DistributionEditorProps {
  sourceId: number
  saved: OperatorWeight[]
  operators: Operator[]
}

/** The source's operators with their weights and resulting shares; saved as one set, atomically. */
export function DistributionEditor({ sourceId, saved, operators }: DistributionEditorProps) {
  const { t, i18n } = useTranslation()
  const save = useSaveDistribution(sourceId)
  const [rows, setRows] = useState<Row[]>(() => toRows(saved))
  const [edited, setEdited] = useState(false)
  const [shown, setShown] = useState(saved)
  // Until the supervisor edits, the editor follows the saved set (a save here or elsewhere).
  if (saved !== shown) {
    setShown(saved)
    if (!edited) setRows(toRows(saved))
  }
  const [adding, setAdding] = useState('')
  const byId = new Map(operators.map((o) => [o.id, o]))
  const unused = operators.filter((o) => !rows.some((r) => r.operator_id === o.id))
  const total = rows.reduce((sum, row) => sum + validWeight(row.weight), 0)
  const percent = new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 1 })

  /** Any edit makes the last save's outcome stale. */
  function edit(next: Row[]) {
    setRows(next)
    setEdited(true)
    save.reset()
  }

  function add() {
    const operatorId = Number(adding)
    if (!operatorId) return
    edit([...rows, { operator_id: operatorId, weight: '1' }])
    setAdding('')
  }

  function submit(event: SubmitEvent) {
    event.preventDefault()
    const weights = rows.map((row) => ({ operator_id: row.operator_id, weight: row.weight.trim() === '' ? Number.NaN : Number(row.weight) }))
    save.mutate(weights, { onSuccess: () => setEdited(false) })
  }

  return (
    <form onSubmit={submit} noValidate className="panel">
      {rows.length === 0 && <p>{t('distribution.empty')}</p>}
      <ul className="weights">
        {rows.map((row, index) => {
          const name = byId.get(row.operator_id)?.name ?? `#${row.operator_id}`
          return (
            <li key={row.operator_id}>
              <span className="weight-name">{name}</span>
              <Field label={t('distribution.weightOf', { name })} problem={problemFor(save.error, ['operator_weights', index, 'weight'], t)}>
                {(props) => (
                  <input
                    {...props}
                    type="number"
                    min={0}
                    step="any"
                    value={row.weight}
                    onChange={(event) => edit(rows.map((r, i) => (i === index ? { ...r, weight: event.target.value } : r)))}
                  />
                )}
              </Field>
              <output className="share" aria-label={t('distribution.shareOf', { name })}>
                {total > 0 ? percent.format(validWeight(row.weight) / total) : '—'}
              </output>
              <button
                type="button"
                onClick={() => edit(rows.filter((_, i) => i !== index))}
                aria-label={t('distribution.removeNamed', { name })}
              >
                {t('distribution.remove')}
              </button>
            </li>
          )
        })}
      </ul>

      {unused.length > 0 && (
        <div className="inline-form">
          <div className="field">
            <label htmlFor="add-operator">{t('distribution.addOperator')}</label>
            <select id="add-operator" value={adding} onChange={(event) => setAdding(event.target.value)}>
              <option value="">{t('distribution.choose')}</option>
              {unused.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="button" onClick={add} disabled={!adding}>
              {t('distribution.add')}
            </button>
          </div>
        </div>
      )}

      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {t('common.save')}
        </button>
        {save.isSuccess && <span role="status">{t('distribution.saved')}</span>}
      </div>
      <ErrorMessage error={save.error} />
    </form>
  )
}

function toRows(saved: OperatorWeight[]): Row[] {
  return saved.map((w) => ({ operator_id: w.operator_id, weight: String(w.weight) }))
}

function validWeight(text: string): number {
  const weight = Number(text)
  return text.trim() !== '' && Number.isFinite(weight) && weight > 0 ? weight : 0
}
