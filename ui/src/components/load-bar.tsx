import { useTranslation } from 'react-i18next'

/** An operator's active contacts against their limit; full bars stand out. */
export function LoadBar({ name, load, max }: { name: string; load: number; max: number }) {
  const { t } = useTranslation()
  const full = load >= max
  const percent = max > 0 ? Math.min(100, (load / max) * 100) : 100
  return (
    <div
      className={full ? 'load-bar full' : 'load-bar'}
      role="meter"
      aria-label={t('overview.loadOf', { name })}
      aria-valuemin={0}
      // A meter needs max > min; a limit of 0 shows as a full bar.
      aria-valuemax={Math.max(max, 1)}
      aria-valuenow={max > 0 ? load : 1}
      aria-valuetext={t('overview.loadText', { load, max })}
    >
      <div className="load-bar-fill" style={{ width: `${percent}%` }} />
    </div>
  )
}
