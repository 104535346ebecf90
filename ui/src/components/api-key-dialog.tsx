import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState, type SubmitEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { getApiKey, onKeyRequest, setApiKey, type KeyRequestReason } from '../api/client'

/**
 * Asks for an API key when the API answers 401 or the supervisor wants another one, keeps it for this browser
 * tab's session (sessionStorage) and reloads every query with it. Dismissed with Escape, it stays closed until
 * asked for again, rather than popping up at every refresh.
 */
export function ApiKeyDialog() {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const dialog = useRef<HTMLDialogElement>(null)
  const dismissed = useRef(false)
  const [reason, setReason] = useState<KeyRequestReason>('unauthorized')
  const [hasKey, setHasKey] = useState(getApiKey() !== null)
  const [key, setKey] = useState('')

  useEffect(
    () =>
      onKeyRequest((why) => {
        if (why === 'unauthorized' && dismissed.current) return
        dismissed.current = false
        setReason(why)
        setHasKey(getApiKey() !== null)
        if (!dialog.current?.open) dialog.current?.showModal()
      }),
    [],
  )

  function applyKey(newKey: string | null) {
    setApiKey(newKey)
    setKey('')
    dialog.current?.close()
    void queryClient.invalidateQueries()
  }

  function submit(event: SubmitEvent) {
    event.preventDefault()
    applyKey(key.trim())
  }

  const explanation = reason === 'asked' ? t('apiKey.change') : hasKey ? t('apiKey.rejected') : t('apiKey.explain')
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="api-key-title" onCancel={() => (dismissed.current = true)}>
      <form onSubmit={submit}>
        <h2 id="api-key-title">{t('apiKey.title')}</h2>
        <p>{explanation}</p>
        <div className="field">
          <label htmlFor="api-key">{t('apiKey.label')}</label>
          <input id="api-key" type="password" autoComplete="off" required value={key} onChange={(event) => setKey(event.target.value)} />
        </div>
        <div className="actions">
          {hasKey && (
            <button type="button" onClick={() => applyKey(null)}>
              {t('apiKey.forget')}
            </button>
          )}
          <button type="submit" className="primary">
            {t('apiKey.use')}
          </button>
        </div>
      </form>
    </dialog>
  )
}
