import i18n from 'i18next'
import LanguageDetector from 'i18next-browser-languagedetector'
import { initReactI18next } from 'react-i18next'
import { en } from './en'
import { ru } from './ru'

export const LANGUAGES = { en: 'English', ru: 'Русский' } as const
export type Language = keyof typeof LANGUAGES

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en }
  }
}

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language
})

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { en: { translation: en }, ru: { translation: ru } },
    supportedLngs: Object.keys(LANGUAGES),
    load: 'languageOnly',
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    // The browser's language at first; the supervisor's choice, once made, is remembered in this browser.
    detection: { order: ['localStorage', 'navigator'], lookupLocalStorage: 'mini-crm-language', caches: ['localStorage'] },
  })

export { i18n }
