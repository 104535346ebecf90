import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { NavLink, Route, Routes, useLocation } from 'react-router'
import { requestApiKey } from './api/client'
import { ApiKeyDialog } from './components/api-key-dialog'
import { LanguageSwitch } from './components/language-switch'
import { ContactsPage } from './pages/contacts-page'
import { LeadPage } from './pages/lead-page'
import { NotFoundPage } from './pages/not-found-page'
import { OperatorsPage } from './pages/operators-page'
import { OverviewPage } from './pages/overview-page'
import { SourcePage } from './pages/source-page'
import { SourcesPage } from './pages/sources-page'
import { StatisticsPage } from './pages/statistics-page'

export function App() {
  const { t } = useTranslation()
  const main = useRef<HTMLElement>(null)
  const { pathname } = useLocation()
  const firstPage = useRef(true)
  // A new page takes the focus, so keyboard and screen-reader users start on it, not on the link they left.
  useEffect(() => {
    if (firstPage.current) firstPage.current = false
    else main.current?.focus()
  }, [pathname])

  const pages = [
    { to: '/', label: t('nav.overview') },
    { to: '/operators', label: t('nav.operators') },
    { to: '/sources', label: t('nav.sources') },
    { to: '/contacts', label: t('nav.contacts') },
    { to: '/statistics', label: t('nav.statistics') },
  ]
  return (
    <>
      {/* A button, not href="#main": with hash routes that link would be a route of its own. */}
      <button type="button" className="skip-link" onClick={() => main.current?.focus()}>
        {t('nav.skip')}
      </button>
      <header className="header">
        <span className="brand">{document.title}</span>
        <nav aria-label={t('nav.label')}>
          <ul>
            {pages.map((page) => (
              <li key={page.to}>
                <NavLink to={page.to} end={page.to === '/'}>
                  {page.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-tools">
          <button type="button" className="header-button" onClick={() => requestApiKey()}>
            {t('apiKey.button')}
          </button>
          <LanguageSwitch />
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Routes>
          <Route path="/" element={<OverviewPage />} />
          <Route path="/operators" element={<OperatorsPage />} />
          <Route path="/sources" element={<SourcesPage />} />
          <Route path="/sources/:id" element={<SourcePage />} />
          <Route path="/contacts" element={<ContactsPage />} />
          <Route path="/leads/:id" element={<LeadPage />} />
          <Route path="/statistics" element={<StatisticsPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
      <ApiKeyDialog />
    </>
  )
}
