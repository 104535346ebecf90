import { useState, type SubmitEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { useCreateSource, useSources } from '../api/sources'
import { ErrorMessage } from '../components/error-message'
import { Field } from '../components/field'
import { problemFor } from '../components/field-problems'

export function SourcesPage() {
  const { t, i18n } = useTranslation()
  const sources = useSources()
  const create = useCreateSource()
  const [name, setName] = useState('')

  function submit(event: SubmitEvent) {
    event.preventDefault()
    create.mutate({ name }, { onSuccess: () => setName('') })
  }

  return (
    <>
      <h1>{t('sources.title')}</h1>
      <section aria-labelledby="new-source-title" className="panel">
        <h2 id="new-source-title">{t('sources.new')}</h2>
        <form className="inline-form" onSubmit={submit} noValidate>
          <Field label={t('sources.name')} problem={problemFor(create.error, ['name'], t)}>
            {(props) => <input {...props} value={name} onChange={(event) => setName(event.target.value)} />}
          </Field>
          <div className="actions">
            <button type="submit" className="primary" disabled={create.isPending}>
              {t('sources.create')}
            </button>
          </div>
          <ErrorMessage error={create.error} />
        </form>
      </section>

      <ErrorMessage error={sources.error} />
      {sources.data?.length === 0 && <p>{t('sources.none')}</p>}
      <ul className="cards">
        {sources.data?.map((source) => (
          <li key={source.id}>
            <Link to={`/sources/${source.id}`}>{source.name}</Link>
            <span className="muted">{new Date(source.created_at).toLocaleDateString(i18n.language)}</span>
          </li>
        ))}
      </ul>
    </>
  )
}
