import { useTranslation } from 'react-i18next'
import { useOperators } from '../api/operators'
import { useContactStats } from '../api/stats'
import { ErrorMessage } from '../components/error-message'
import { LoadBar } from '../components/load-bar'

/** At a glance: totals, what waits unassigned, and who is loaded how far. Refreshes by itself. */
export function OverviewPage() {
  const { t } = useTranslation()
  const stats = useContactStats()
  const operators = useOperators()
  const activeOperators = operators.data?.filter((o) => o.is_active) ?? []
  // By name, so a refresh never moves a bar: the eye finds an operator where it was.
  const sorted = [...(operators.data ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id)

  return (
    <>
      <h1>{t('overview.title')}</h1>
      <ErrorMessage error={stats.error ?? operators.error} />
      <dl className="tiles">
        <Tile label={t('overview.total')} value={stats.data?.total_contacts} />
        <Tile label={t('overview.active')} value={stats.data?.active_contacts} />
        <Tile label={t('overview.waiting')} value={stats.data?.waiting_contacts} warn={(stats.data?.waiting_contacts ?? 0) > 0} />
        <Tile label={t('overview.activeOperators')} value={operators.data && `${activeOperators.length} / ${operators.data.length}`} />
      </dl>

      <section aria-labelledby="loads-title">
        <h2 id="loads-title">{t('overview.loads')}</h2>
        {operators.data?.length === 0 && <p>{t('overview.noOperators')}</p>}
        <ul className="loads">
          {sorted.map((operator) => {
            const full = operator.current_load >= operator.max_load
            return (
              <li key={operator.id} className={operator.is_active ? undefined : 'inactive'} data-testid={`load-${operator.id}`}>
                <span className="load-name">
                  {operator.name}
                  {!operator.is_active && <span className="badge">{t('operators.inactive')}</span>}
                  {full && <span className="badge danger">{t('overview.atLimit')}</span>}
                </span>
                <LoadBar name={operator.name} load={operator.current_load} max={operator.max_load} />
                <span className="load-figures">
                  {operator.current_load} / {operator.max_load}
                </span>
              </li>
            )
          })}
        </ul>
      </section>
    </>
  )
}

function Tile({ label, value, warn = false }: { label: string; value: number | string | undefined; warn?: boolean }) {
  return (
    <div className={warn ? 'tile warn' : 'tile'}>
      <dt>{label}</dt>
      <dd>{value ?? '…'}</dd>
    </div>
  )
}
