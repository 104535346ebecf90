import { useTranslation } from 'react-i18next'
import { ApiError, requestApiKey } from '../api/client'
import { describeProblem } from './field-problems'

/** Says plainly what went wrong with a request, with a way out where there is one; nothing without an error. */
export function ErrorMessage({ error }: { error: Error | null | undefined }) {
  const { t } = useTranslation()
  if (!error) return null
  const keyProblem = error instanceof ApiError && (error.status === 401 || error.status === 403)
  return (
    <div className="error" role="alert">
      <p>{describeError(error, t)}</p>
      {keyProblem && (
        <button type="button" onClick={() => requestApiKey()}>
          {t('apiKey.another')}
        </button>
      )}
    </div>
  )
}

type Translate = ReturnType<typeof useTranslation>['t']

function describeError(error: Error, t: Translate): string {
  if (!(error instanceof ApiError)) return t('errors.unexpected', { message: error.message })
  if (error.status === 0) return t('errors.network')
  if (error.status === 401) return t('errors.unauthorized')
  if (error.status === 403) return t('errors.forbidden')
  if (error.status === 429) return t('errors.rateLimited')
  if (error.status >= 500) return t('errors.server', { status: error.status })
  if (typeof error.detail !== 'string') {
    return `${t('errors.invalid')} ${error.detail.map((p) => `${p.loc.slice(1).join('.')}: ${describeProblem(p, t)}`).join('; ')}`
  }
  // The server's own words, unless we have the page's language for its code.
  return t(`errors.codes.${error.code}`, { defaultValue: error.detail })
}
