import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState, type SubmitEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { getApiKey, onUnauthorized, setApiKey } from '../api/client'

/**
 * Asks for an API key when the API answers 401, keeps it for this browser session (sessionStorage) and
 * reloads every query with it.
 */
export function ApiKeyDialog() {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const dialog = useRef<HTMLDialogElement>(null)
  const [rejected, setRejected] = useState(false)
  const [key, setKey] = useState('')

  useEffect(
    () =>
      onUnauthorized(() => {
        setRejected(getApiKey() !== null)
        if (!dialog.current?.open) dialog.current?.showModal()
      }),
    [],
  )

  function submit(event: SubmitEvent) {
    event.preventDefault()
    setApiKey(key.trim())
    setKey('')
    dialog.current?.close()
    void queryClient.invalidateQueries()
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="api-key-title">
      <form onSubmit={submit}>
        <h2 id="api-key-title">{t('apiKey.title')}</h2>
        <p>{rejected ? t('apiKey.rejected') : t('apiKey.explain')}</p>
        <div className="field">
          <label htmlFor="api-key">{t('apiKey.label')}</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            required
            value={key}
            onChange={(event) => setKey(event.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            {t('apiKey.use')}
          </button>
        </div>
      </form>
    </dialog>
  )
}
