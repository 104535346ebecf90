import { useTranslation } from 'react-i18next'
import { LANGUAGES, type Language } from '../i18n/index'

export function LanguageSwitch() {
  const { t, i18n } = useTranslation()
  return (
    <select
      className="language"
      aria-label={t('nav.language')}
      value={i18n.resolvedLanguage}
      onChange={(event) => void i18n.changeLanguage(event.target.value)}
    >
      {Object.entries(LANGUAGES).map(([code, name]) => (
        <option key={code} value={code as Language} lang={code}>
          {name}
        </option>
      ))}
    </select>
  )
}
