import { lazy, Suspense } from 'react'
import { useTranslation } from 'react-i18next'
import { useContactStats, useDistributionStats } from '../api/stats'
import { ErrorMessage } from '../components/error-message'

/** Chart.js is most of the page's weight: only this page loads it. */
const ShareChart = lazy(() => import('../components/share-chart'))

/** Per source, configured against actual shares; contacts per source and per operator. */
export function StatisticsPage() {
  const { t, i18n } = useTranslation()
  const distribution = useDistributionStats()
  const contacts = useContactStats()
  const percent = new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 1 })

  return (
    <>
      <h1>{t('statistics.title')}</h1>
      <ErrorMessage error={distribution.error ?? contacts.error} />

      <h2>{t('statistics.shares')}</h2>
      {distribution.data?.length === 0 && <p>{t('sources.none')}</p>}
      <div className="chart-grid">
        {distribution.data?.map((source) => (
          <section key={source.source_id} className="panel" aria-labelledby={`share-${source.source_id}`}>
            <h3 id={`share-${source.source_id}`}>{source.source_name}</h3>
            <p className="muted">
              {t('statistics.sourceTotals', { total: source.total_contacts, unassigned: source.unassigned_contacts })}
            </p>
            {source.operators.length > 0 && (
              <Suspense fallback={<div className="chart" />}>
                <ShareChart source={source} />
              </Suspense>
            )}
            <div className="table-wrap">
              <table className="compact" data-testid={`shares-${source.source_id}`}>
                <caption className="visually-hidden">{t('statistics.sharesOf', { name: source.source_name })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('contacts.operator')}</th>
                    <th scope="col" className="number">{t('statistics.configured')}</th>
                    <th scope="col" className="number">{t('statistics.actual')}</th>
                    <th scope="col" className="number">{t('statistics.contacts')}</th>
                  </tr>
                </thead>
                <tbody>
                  {source.operators.map((o) => (
                    <tr key={o.operator_id}>
                      <th scope="row">{o.operator_name}</th>
                      <td className="number">{percent.format(o.expected_share)}</td>
                      <td className="number">{percent.format(o.actual_share)}</td>
                      <td className="number">{o.contacts}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))}
      </div>

      <div className="two-columns">
        <section aria-labelledby="per-source-title">
          <h2 id="per-source-title">{t('statistics.perSource')}</h2>
          <div className="table-wrap">
            <table className="compact" data-testid="per-source">
              <thead>
                <tr>
                  <th scope="col">{t('contacts.source')}</th>
                  <th scope="col" className="number">{t('statistics.total')}</th>
                  <th scope="col" className="number">{t('statistics.active')}</th>
                  <th scope="col" className="number">{t('overview.waiting')}</th>
                </tr>
              </thead>
              <tbody>
                {contacts.data?.by_source.map((s) => (
                  <tr key={s.source_id}>
                    <th scope="row">{s.source_name}</th>
                    <td className="number">{s.total}</td>
                    <td className="number">{s.active}</td>
                    <td className={s.waiting > 0 ? 'number warn' : 'number'}>{s.waiting}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section aria-labelledby="per-operator-title">
          <h2 id="per-operator-title">{t('statistics.perOperator')}</h2>
          <div className="table-wrap">
            <table className="compact" data-testid="per-operator">
              <thead>
                <tr>
                  <th scope="col">{t('contacts.operator')}</th>
                  <th scope="col" className="number">{t('statistics.total')}</th>
                  <th scope="col" className="number">{t('statistics.active')}</th>
                </tr>
              </thead>
              <tbody>
                {contacts.data?.by_operator.map((o) => (
                  <tr key={o.operator_id} className={o.deleted ? 'inactive' : undefined}>
                    <th scope="row">
                      {o.operator_name}
                      {o.deleted && <span className="badge">{t('statistics.deleted')}</span>}
                    </th>
                    <td className="number">{o.total}</td>
                    <td className="number">{o.active}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </>
  )
}
