import { BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js'
import { Bar } from 'react-chartjs-2'
import { useTranslation } from 'react-i18next'
import type { SourceDistributionStats } from '../api/stats'

// Only what a bar chart needs, so the bundle carries no other chart type.
Chart.register(BarElement, CategoryScale, LinearScale, Legend, Tooltip)

/** Whether the reader asked for less motion: the bars then appear at their values at once. */
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches

/**
 * Configured against actual share per operator of one source. The table beside it carries the same figures.
 * Its own module, loaded with the statistics page only (see statistics-page.tsx).
 */
export default function ShareChart({ source }: { source: SourceDistributionStats }) {
  const { t, i18n } = useTranslation()
  const percent = new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 1 })
  return (
    <div className="chart" role="img" aria-label={t('statistics.chartOf', { name: source.source_name })}>
      <Bar
        data={{
          labels: source.operators.map((o) => o.operator_name),
          datasets: [
            { label: t('statistics.configured'), data: source.operators.map((o) => o.expected_share), backgroundColor: '#9db4d8' },
            { label: t('statistics.actual'), data: source.operators.map((o) => o.actual_share), backgroundColor: '#2a5caa' },
          ],
        }}
        options={{
          maintainAspectRatio: false,
          // Refreshing every few seconds: bars move to new values rather than redraw from zero.
          animation: reducedMotion ? false : { duration: 300 },
          scales: { y: { beginAtZero: true, suggestedMax: 1, ticks: { callback: (value) => percent.format(Number(value)) } } },
          plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${percent.format(item.parsed.y ?? 0)}` } } },
        }}
      />
    </div>
  )
}
