import type { FastifyInstance } from 'fastify'
import { IdRef, RawJson, RawSegment, type GeneratedRequest } from './arbitraries.js'

/** A generated request made concrete: ids resolved, body serialized, ready for app.inject. */
export interface ConcreteRequest {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
}

export interface SentResponse {
  status: number
  headers: Record<string, unknown>
  text: string
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown
}

export type Resolve = (ref: IdRef) => number

/** Percent-encodes every byte but the unreserved ones; a lone surrogate becomes U+FFFD, as in any client. */
export function percentEncode(text: string): string {
  let encoded = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte)
    encoded += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return encoded
}

/** JSON text of a value holding IdRefs and RawJsons; own `__proto__` keys are written like any other. */
export function toJsonText(value: unknown, resolve: Resolve): string {
  if (value instanceof IdRef) return String(resolve(value))
  if (value instanceof RawJson) return value.text
  if (Array.isArray(value)) return `[${value.map((item) => toJsonText(item, resolve)).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    return `{${Object.keys(record)
      .map((key) => `${JSON.stringify(key)}:${toJsonText(record[key], resolve)}`)
      .join(',')}}`
  }
  // undefined has no JSON text; a client's serializer would write null.
  return value === undefined ? 'null' : JSON.stringify(value)
}

export function concretize(request: GeneratedRequest, resolve: Resolve): ConcreteRequest {
  const path = request.template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = request.path[name]
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${request.template}`)
    if (value instanceof IdRef) return String(resolve(value))
    if (value instanceof RawSegment) return value.text
    return percentEncode(value)
  })
  const query =
    request.query.kind === 'raw'
      ? request.query.text
      : request.query.pairs
          .map(([key, value]) => `${percentEncode(key)}=${value instanceof IdRef ? resolve(value) : percentEncode(value)}`)
          .join('&')
  const url = query === '' ? path : `${path}?${query}`

  let payload: string | Buffer | undefined
  const body = request.body
  if (body.kind === 'json') payload = toJsonText(body.value, resolve)
  else if (body.kind === 'truncated') {
    const text = toJsonText(body.value, resolve)
    payload = text.slice(0, body.cut % Math.max(text.length, 1))
  } else if (body.kind === 'text') payload = body.text
  else if (body.kind === 'bytes') payload = Buffer.from(body.bytes)

  const contentType = request.contentType === undefined ? (payload === undefined ? null : 'application/json') : request.contentType
  const headers = { ...request.headers, ...(contentType !== null && { 'content-type': contentType }) }
  return { method: request.method, url, headers, ...(payload !== undefined && { payload }) }
}

export async function send(app: FastifyInstance, request: ConcreteRequest): Promise<SentResponse> {
  const response = await app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.payload !== undefined && { payload: request.payload }),
  })
  let json: unknown
  try {
    json = response.body === '' ? undefined : JSON.parse(response.body)
  } catch {
    json = undefined
  }
  return { status: response.statusCode, headers: response.headers, text: response.body, json }
}

const shorten = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text)

/** The request and its answer in one line, for assertion messages: enough to replay it with curl. */
export function describeExchange(request: ConcreteRequest, response?: SentResponse): string {
  const payload =
    request.payload === undefined ? '' : ` body=${shorten(typeof request.payload === 'string' ? JSON.stringify(request.payload) : `<bytes ${request.payload.toString('hex')}>`)}`
  const { 'content-type': contentType, ...others } = request.headers
  const type = contentType === undefined ? ' (no content-type)' : ` content-type=${JSON.stringify(contentType)}`
  const headers = Object.entries(others).map(([name, value]) => ` ${name}=${JSON.stringify(value)}`).join('')
  const answer = response ? ` -> ${response.status} ${shorten(response.text)}` : ''
  return `${request.method} ${shorten(request.url, 200)}${type}${headers}${payload}${answer}`
}
