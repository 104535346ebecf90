import type { FastifyInstance } from 'fastify'
import { factories } from './factories.js'

export interface JsonResponse<T = any> {
  status: number
  /** The parsed JSON; the text when it is not JSON; undefined when empty. */
  body: T
  headers: Record<string, unknown>
  text: string
}

export interface RawRequest {
  method: string
  url: string
  body?: string | Buffer
  headers: Record<string, string>
}

/** How a request reaches the service: app.inject in this process, or fetch to a listening server. */
export type Transport = (request: RawRequest) => Promise<{ status: number; headers: Record<string, unknown>; text: string }>

export function injectTransport(app: FastifyInstance): Transport {
  return async ({ method, url, body, headers }) => {
    const response = await app.inject({ method: method as 'GET', url, headers, ...(body !== undefined && { payload: body }) })
    return { status: response.statusCode, headers: response.headers, text: response.body }
  }
}

export function fetchTransport(baseUrl: string): Transport {
  return async ({ method, url, body, headers }) => {
    const response = await fetch(`${baseUrl}${url}`, { method, headers, ...(body !== undefined && { body }) })
    return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() }
  }
}

/** The transport with an API key on every request (`Authorization: Bearer <key>`). */
export function withApiKey(transport: Transport, key: string): Transport {
  return (request) => transport({ ...request, headers: { authorization: `Bearer ${key}`, ...request.headers } })
}

/**
 * The one test client: JSON requests over a transport, and the factories (factories.ts) that arrange a test's
 * data through the API. `apiClient(app)` runs in process, `fetchClient(url)` against a real server.
 */
export function testClient(transport: Transport, prefix = '') {
  /** Sends a body exactly as given, with the given content type (null: no content-type header). */
  const raw = async <T = any>(
    method: string,
    url: string,
    body?: string | Buffer,
    contentType: string | null = 'application/json',
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> => {
    const response = await transport({
      method,
      url: `${prefix}${url}`,
      ...(body !== undefined && { body }),
      headers: { ...(contentType !== null && { 'content-type': contentType }), ...headers },
    })
    let parsed: unknown
    try {
      parsed = response.text === '' ? undefined : JSON.parse(response.text)
    } catch {
      parsed = response.text
    }
    return { ...response, body: parsed as T }
  }
  const call = <T = any>(method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    payload === undefined ? raw<T>(method, url, undefined, null, headers) : raw<T>(method, url, JSON.stringify(payload), 'application/json', headers)

  /** The body of an answer with this status; anything else throws, saying what came instead. */
  const expectStatus = async <T = any>(status: number, method: string, url: string, payload?: unknown): Promise<T> => {
    const response = await call<T>(method, url, payload)
    if (response.status !== status) throw new Error(`${method} ${url}: expected ${status}, got ${response.status} ${response.text}`)
    return response.body
  }

  const http = {
    raw,
    call,
    expectStatus,
    get: <T = any>(url: string) => call<T>('GET', url),
    post: <T = any>(url: string, payload: unknown) => call<T>('POST', url, payload),
    patch: <T = any>(url: string, payload: unknown) => call<T>('PATCH', url, payload),
    delete: <T = any>(url: string) => call<T>('DELETE', url),

    /** Every row of a list endpoint, page by page (the limit is at most 1000). */
    async listAll<T = any>(path: string): Promise<T[]> {
      const rows: T[] = []
      const separator = path.includes('?') ? '&' : '?'
      for (let skip = 0; ; skip += 1000) {
        const page = await expectStatus<T[]>(200, 'GET', `${path}${separator}skip=${skip}&limit=1000`)
        rows.push(...page)
        if (page.length < 1000) return rows
      }
    },
  }
  return { ...http, ...factories(http) }
}

export type TestClient = ReturnType<typeof testClient>
export type Http = Pick<TestClient, 'expectStatus'>

/** The client over app.inject, with the API under `prefix` (API_V1_PREFIX). */
export const apiClient = (app: FastifyInstance, prefix = '') => testClient(injectTransport(app), prefix)

/** The client over real HTTP against a listening server (its URL, with API_V1_PREFIX if any). */
export const fetchClient = (baseUrl: string) => testClient(fetchTransport(baseUrl))
