import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { useOperators } from '../api/operators'
import { useDistribution, useSource } from '../api/sources'
import { DistributionEditor } from '../components/distribution-editor'
import { ErrorMessage } from '../components/error-message'
import { NotFoundPage } from './not-found-page'
import { isNotFound, useRouteId } from './route-id'

export function SourcePage() {
  const id = useRouteId()
  return id === undefined ? <NotFoundPage /> : <SourceDistribution id={id} />
}

/** A source and the editor of its distribution. */
function SourceDistribution({ id }: { id: number }) {
  const { t } = useTranslation()
  const source = useSource(id)
  const distribution = useDistribution(id)
  const operators = useOperators()
  if (isNotFound(source.error)) return <NotFoundPage />

  return (
    <>
      <p>
        <Link to="/sources">← {t('sources.title')}</Link>
      </p>
      <h1>{source.data ? t('sources.distributionOf', { name: source.data.name }) : t('sources.distribution')}</h1>
      <ErrorMessage error={source.error ?? distribution.error ?? operators.error} />
      {distribution.data && operators.data && (
        // One editor per source: moving to another source never carries rows over.
        <DistributionEditor key={id} sourceId={id} saved={distribution.data} operators={operators.data} />
      )}
    </>
  )
}
