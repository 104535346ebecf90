import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useDeleteOperator, useOperators, useUpdateOperator, type Operator } from '../api/operators'
import { ConfirmDialog } from '../components/confirm-dialog'
import { ErrorMessage } from '../components/error-message'
import { OperatorForm } from '../components/operator-form'

export function OperatorsPage() {
  const { t } = useTranslation()
  const operators = useOperators()
  const update = useUpdateOperator()
  const remove = useDeleteOperator()
  const [editing, setEditing] = useState<number | null>(null)
  const [deleting, setDeleting] = useState<Operator | null>(null)
  const [refocus, setRefocus] = useState<number | null>(null)
  // Back from editing, the focus returns to the row's Edit button rather than falling to the page.
  useEffect(() => {
    if (refocus !== null) document.getElementById(`edit-operator-${refocus}`)?.focus()
  }, [refocus])

  const toggling = (id: number) => update.isPending && update.variables.id === id

  function stopEditing(id: number) {
    setEditing(null)
    setRefocus(id)
  }

  return (
    <>
      <h1>{t('operators.title')}</h1>
      <section aria-labelledby="new-operator-title" className="panel">
        <h2 id="new-operator-title">{t('operators.new')}</h2>
        <OperatorForm />
      </section>

      <ErrorMessage error={operators.error ?? update.error ?? remove.error} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{t('operators.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('operators.name')}</th>
              <th scope="col">{t('operators.status')}</th>
              <th scope="col" className="number">{t('operators.load')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {operators.data?.map((operator) =>
              editing === operator.id ? (
                <tr key={operator.id}>
                  <td colSpan={4}>
                    <OperatorForm operator={operator} onDone={() => stopEditing(operator.id)} />
                  </td>
                </tr>
              ) : (
                <tr key={operator.id} className={operator.is_active ? undefined : 'inactive'}>
                  <th scope="row">{operator.name}</th>
                  <td>
                    <label className="toggle">
                      <input
                        type="checkbox"
                        // While the switch is saved (and the list read again) it shows what was asked for.
                        checked={toggling(operator.id) ? (update.variables?.is_active ?? operator.is_active) : operator.is_active}
                        disabled={toggling(operator.id)}
                        onChange={(event) => update.mutate({ id: operator.id, is_active: event.target.checked })}
                      />
                      <span>{operator.is_active ? t('operators.active') : t('operators.inactive')}</span>
                      <span className="visually-hidden">: {operator.name}</span>
                    </label>
                  </td>
                  <td className={operator.current_load >= operator.max_load ? 'number full' : 'number'}>
                    {operator.current_load} / {operator.max_load}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      id={`edit-operator-${operator.id}`}
                      onClick={() => {
                        setEditing(operator.id)
                        setRefocus(null)
                      }}
                      aria-label={t('operators.editNamed', { name: operator.name })}>
                      {t('common.edit')}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setDeleting(operator)}
                      aria-label={t('operators.deleteNamed', { name: operator.name })}
                    >
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
      {operators.data?.length === 0 && <p>{t('overview.noOperators')}</p>}

      {deleting && (
        <ConfirmDialog
          title={t('operators.deleteTitle', { name: deleting.name })}
          confirmLabel={t('common.delete')}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            remove.mutate(deleting.id)
            setDeleting(null)
          }}
        >
          <p>{t('operators.deleteExplain', { count: deleting.current_load })}</p>
        </ConfirmDialog>
      )}
    </>
  )
}
