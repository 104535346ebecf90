import type { FieldProblem } from '../../../src/http/schemas.js'

export type { FieldProblem }

/** An answer of the API other than 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string | FieldProblem[],
  ) {
    super(typeof detail === 'string' ? detail : detail.map((p) => `${p.loc.join('.')}: ${p.msg}`).join('; '))
  }
}

const KEY_STORAGE = 'mini-crm-api-key'

/** Where the server mounted the API (API_V1_PREFIX); it writes it into the page. */
function apiPrefix(): string {
  const value = document.querySelector('meta[name="mini-crm-api-prefix"]')?.getAttribute('content') ?? ''
  return value.startsWith('__') ? '' : value
}

const prefix = apiPrefix()
const keyRequestListeners = new Set<(reason: KeyRequestReason) => void>()

/** Why the page asks for a key: the API refused the request (401), or the supervisor asked to change it. */
export type KeyRequestReason = 'unauthorized' | 'asked'

/** The API key of this browser session, if the supervisor gave one. */
export function getApiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE)
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key)
  else sessionStorage.removeItem(KEY_STORAGE)
}

/** Called whenever the page should ask for a key: on every 401, and when the supervisor asks to change it. */
export function onKeyRequest(listener: (reason: KeyRequestReason) => void): () => void {
  keyRequestListeners.add(listener)
  return () => keyRequestListeners.delete(listener)
}

export function requestApiKey(reason: KeyRequestReason = 'asked'): void {
  for (const listener of keyRequestListeners) listener(reason)
}

export async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const key = getApiKey()
  if (key) headers.authorization = `Bearer ${key}`

  let response: Response
  try {
    response = await fetch(prefix + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'The service cannot be reached')
  }
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T

  const error = await readError(response)
  if (response.status === 401) requestApiKey('unauthorized')
  throw error
}

async function readError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { detail?: unknown; code?: unknown }
    if (typeof body.code === 'string' && (typeof body.detail === 'string' || Array.isArray(body.detail))) {
      return new ApiError(response.status, body.code, body.detail as string | FieldProblem[])
    }
  } catch {
    // Not our JSON (a proxy's page, say): fall through to the status line.
  }
  return new ApiError(response.status, 'HTTP_ERROR', `${response.status} ${response.statusText}`)
}

/** A query string of the defined values. */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value))
  const text = search.toString()
  return text ? `?${text}` : ''
}
