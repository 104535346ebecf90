import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { useLead, useLeadContacts } from '../api/contacts'
import { ContactsTable } from '../components/contacts-table'
import { ErrorMessage } from '../components/error-message'
import { NotFoundPage } from './not-found-page'
import { isNotFound, useRouteId } from './route-id'

export function LeadPage() {
  const id = useRouteId()
  return id === undefined ? <NotFoundPage /> : <LeadWithContacts id={id} />
}

/** A lead and every contact it made. */
function LeadWithContacts({ id }: { id: number }) {
  const { t, i18n } = useTranslation()
  const lead = useLead(id)
  const contacts = useLeadContacts(id)
  if (isNotFound(lead.error)) return <NotFoundPage />
  return (
    <>
      <p>
        <Link to="/contacts">← {t('contacts.title')}</Link>
      </p>
      <h1>{t('lead.title', { name: lead.data?.external_id ?? `#${id}` })}</h1>
      <ErrorMessage error={lead.error ?? contacts.error} />
      {lead.data && (
        <dl className="facts">
          <dt>{t('lead.externalId')}</dt>
          <dd>{lead.data.external_id}</dd>
          <dt>{t('lead.phone')}</dt>
          <dd>{lead.data.phone ?? '—'}</dd>
          <dt>{t('lead.email')}</dt>
          <dd>{lead.data.email ?? '—'}</dd>
          <dt>{t('lead.firstSeen')}</dt>
          <dd>{new Date(lead.data.created_at).toLocaleString(i18n.language)}</dd>
        </dl>
      )}
      <h2>{t('lead.contacts')}</h2>
      <ContactsTable contacts={contacts.data ?? []} />
    </>
  )
}
