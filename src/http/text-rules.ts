import Format from 'typebox/format'

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/
/** Half of a UTF-16 pair without its other half: no valid text, stored as invalid UTF-8 or as U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/u
/** Invisible and bidi characters (U+200B, U+202E, U+00AD, U+FEFF, ...): they make two names look alike. */
const FORMAT_CHARACTER = /\p{Cf}/u

/**
 * Every text field: no control characters (NUL above all, which PostgreSQL cannot store) and no lone
 * surrogates (SQLite would store invalid UTF-8, PostgreSQL U+FFFD, so two different values became one).
 */
export function isPlainText(value: string): boolean {
  return !CONTROL_CHARACTERS.test(value) && !LONE_SURROGATE.test(value)
}

/**
 * Names and IDs, which people compare by eye: plain text with at least one character left after trimming
 * (surrounding spaces and tabs are trimmed, as the services store it), and no format characters, so a name
 * of only invisible characters is blank and "Ivan" with a hidden character is not a second "Ivan".
 */
export function isName(value: string): boolean {
  const trimmed = value.trim()
  return trimmed.length > 0 && isPlainText(trimmed) && !FORMAT_CHARACTER.test(trimmed)
}

/** A webhook's address: an http or https URL with a host, and no user name or password to leak in logs. */
export function isWebhookUrl(value: string): boolean {
  if (!isPlainText(value) || !URL.canParse(value)) return false
  const url = new URL(value)
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.username === '' && url.password === ''
}

/** TypeBox's email check lets a quoted local part hold any character; the text rules apply to it as well. */
const isEmail = Format.Get('email')

/** Registers the formats the schemas use (schemas.ts): once, before any schema is compiled. */
export function registerTextFormats(): void {
  Format.Set('plain-text', isPlainText)
  Format.Set('non-blank', isName)
  Format.Set('webhook-url', isWebhookUrl)
  if (isEmail) Format.Set('email', (value) => isPlainText(value) && isEmail(value))
}
