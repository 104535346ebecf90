import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { useOperators } from '../api/operators'
import { useDistribution, useSource } from '../api/sources'
import { DistributionEditor } from '../components/distribution-editor'
import { ErrorMessage } from '../components/error-message'

/** A source and the editor of its distribution. */
export function SourcePage() {
  const { t } = useTranslation()
  const id = Number(useParams().id)
  const source = useSource(id)
  const distribution = useDistribution(id)
  const operators = useOperators()

  return (
    <>
      <p>
        <Link to="/sources">← {t('sources.title')}</Link>
      </p>
      <h1>{source.data ? t('sources.distributionOf', { name: source.data.name }) : t('sources.distribution')}</h1>
      <ErrorMessage error={source.error ?? distribution.error ?? operators.error} />
      {distribution.data && operators.data && (
        <DistributionEditor sourceId={id} saved={distribution.data} operators={operators.data} />
      )}
    </>
  )
}
