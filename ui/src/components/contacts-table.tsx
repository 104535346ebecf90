import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { useCloseContact, type Contact } from '../api/contacts'
import { ErrorMessage } from './error-message'

/** Contacts with their lead, source and operator; unassigned ones stand out, active ones can be closed. */
export function ContactsTable({ contacts }: { contacts: Contact[] }) {
  const { t, i18n } = useTranslation()
  const close = useCloseContact()
  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'short' })

  return (
    <>
      <ErrorMessage error={close.error} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{t('contacts.title')}</caption>
          <thead>
            <tr>
              <th scope="col" className="number">#</th>
              <th scope="col">{t('contacts.created')}</th>
              <th scope="col">{t('contacts.lead')}</th>
              <th scope="col">{t('contacts.source')}</th>
              <th scope="col">{t('contacts.operator')}</th>
              <th scope="col">{t('contacts.status')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {contacts.map((contact) => (
              <tr key={contact.id} className={contact.operator ? undefined : 'unassigned'} data-testid={`contact-${contact.id}`}>
                <td className="number">{contact.id}</td>
                <td>{time.format(new Date(contact.created_at))}</td>
                <td>
                  <Link to={`/leads/${contact.lead_id}`}>{contact.lead.external_id}</Link>
                </td>
                <td>{contact.source.name}</td>
                <td>{contact.operator ? contact.operator.name : <span className="badge warn">{t('contacts.unassigned')}</span>}</td>
                <td>{contact.status === 'active' ? t('contacts.active') : t('contacts.closed')}</td>
                <td className="actions">
                  {contact.status === 'active' && (
                    <button
                      type="button"
                      disabled={close.isPending}
                      onClick={() => close.mutate(contact.id)}
                      aria-label={t('contacts.closeNumber', { id: contact.id })}
                    >
                      {t('contacts.close')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}
