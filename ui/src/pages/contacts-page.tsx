import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { useContacts, type ContactQuery } from '../api/contacts'
import { useOperators } from '../api/operators'
import { useSources } from '../api/sources'
import { ContactsTable } from '../components/contacts-table'
import { ErrorMessage } from '../components/error-message'

const PAGE_SIZE = 50
/** The operator filter's value for contacts nobody took. */
const UNASSIGNED = 'none'

/** Contacts in the order they came, filtered and paged; the filters live in the address, so a view can be shared. */
export function ContactsPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const operators = useOperators()
  const sources = useSources()
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0)
  const operator = params.get('operator') ?? ''
  const query: ContactQuery = {
    source_id: positive(params.get('source')),
    operator_id: operator === UNASSIGNED ? undefined : positive(operator),
    assigned: operator === UNASSIGNED ? false : undefined,
    status: parseStatus(params.get('status')),
    lead_id: positive(params.get('lead')),
    skip: page * PAGE_SIZE,
    limit: PAGE_SIZE,
  }
  const contacts = useContacts(query)

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params)
    if (value) next.set(name, value)
    else next.delete(name)
    next.delete('page')
    // Typing in a filter replaces the history entry: Back goes to the last page, not the last keystroke.
    setParams(next, { replace: true })
  }

  function setPage(number: number) {
    const next = new URLSearchParams(params)
    next.set('page', String(number))
    setParams(next)
  }

  return (
    <>
      <h1>{t('contacts.title')}</h1>
      <form className="filters" role="search" aria-label={t('contacts.filters')} onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-source">{t('contacts.source')}</label>
          <select id="filter-source" value={params.get('source') ?? ''} onChange={(event) => setFilter('source', event.target.value)}>
            <option value="">{t('contacts.any')}</option>
            {sources.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-operator">{t('contacts.operator')}</label>
          <select id="filter-operator" value={operator} onChange={(event) => setFilter('operator', event.target.value)}>
            <option value="">{t('contacts.any')}</option>
            <option value={UNASSIGNED}>{t('contacts.unassigned')}</option>
            {operators.data?.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-status">{t('contacts.status')}</label>
          <select id="filter-status" value={params.get('status') ?? ''} onChange={(event) => setFilter('status', event.target.value)}>
            <option value="">{t('contacts.any')}</option>
            <option value="active">{t('contacts.active')}</option>
            <option value="closed">{t('contacts.closed')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-lead">{t('contacts.leadId')}</label>
          <input
            id="filter-lead"
            type="number"
            min={1}
            inputMode="numeric"
            value={params.get('lead') ?? ''}
            onChange={(event) => setFilter('lead', event.target.value)}
          />
        </div>
      </form>

      <ErrorMessage error={contacts.error ?? operators.error ?? sources.error} />
      <ContactsTable contacts={contacts.data ?? []} />
      {contacts.data?.length === 0 && <p>{t('contacts.none')}</p>}

      <nav className="pager" aria-label={t('contacts.pages')}>
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          ← {t('contacts.previous')}
        </button>
        <span aria-live="polite">{t('contacts.page', { page: page + 1 })}</span>
        <button type="button" disabled={(contacts.data?.length ?? 0) < PAGE_SIZE} onClick={() => setPage(page + 1)}>
          {t('contacts.next')} →
        </button>
      </nav>
    </>
  )
}

function positive(value: string | null): number | undefined {
  const number = Number(value)
  return Number.isInteger(number) && number > 0 ? number : undefined
}

function parseStatus(value: string | null): ContactQuery['status'] {
  return value === 'active' || value === 'closed' ? value : undefined
}
