import { useTranslation } from 'react-i18next'
import { ApiError } from '../api/client'

/** Says plainly what went wrong with a request; nothing when there is no error. */
export function ErrorMessage({ error }: { error: Error | null | undefined }) {
  const { t } = useTranslation()
  if (!error) return null
  return (
    <p className="error" role="alert">
      {describeError(error, t)}
    </p>
  )
}

type Translate = ReturnType<typeof useTranslation>['t']

export function describeError(error: Error, t: Translate): string {
  if (!(error instanceof ApiError)) return t('errors.unexpected', { message: error.message })
  if (error.status === 0) return t('errors.network')
  if (error.status === 401) return t('errors.unauthorized')
  if (error.status === 403) return t('errors.forbidden', { detail: error.message })
  if (error.status === 429) return t('errors.rateLimited')
  if (error.status >= 500) return t('errors.server', { status: error.status })
  if (typeof error.detail === 'string') return error.detail
  return t('errors.invalid')
}
