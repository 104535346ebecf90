import { randomBytes } from 'node:crypto'
import autocannon from 'autocannon'
import { HISTORY_LEAD_PREFIX } from './preload.js'

export interface LoadFigures {
  requestsPerSec: number
  p50Ms: number
  p99Ms: number
  responses: number
  ok2xx: number
  non2xx: number
  errors: number
  timeouts: number
  /** Responses by status code, e.g. { "201": 10400, "503": 2 }. */
  statusCodes: Record<string, number>
}

export interface Load {
  connections: number
  durationSec: number
  /** A fresh request list per autocannon instance; each connection cycles through it. */
  requests: () => autocannon.Request[]
}

/**
 * Drives one server, or several at once with the connections split evenly between them (one autocannon
 * instance each, run concurrently), and merges the figures: requests/s add up, latencies are pooled.
 */
export async function runLoad(urls: string[], load: Load): Promise<LoadFigures> {
  const latencies: number[] = []
  const results = await Promise.all(
    urls.map((url, i) => {
      const connections = Math.floor(load.connections / urls.length) + (i < load.connections % urls.length ? 1 : 0)
      return runAutocannon({ url, connections, duration: load.durationSec, requests: load.requests() }, latencies)
    }),
  )
  latencies.sort((a, b) => a - b)
  const statusCodes: Record<string, number> = {}
  for (const result of results) {
    for (const [code, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count
    }
  }
  const sum = (figure: (result: autocannon.Result) => number): number => results.reduce((total, r) => total + figure(r), 0)
  return {
    requestsPerSec: sum((r) => r.requests.total / r.duration),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    responses: sum((r) => r.requests.total),
    ok2xx: sum((r) => r['2xx']),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
  }
}

/** Records every response's latency (ms, all status codes) into `latencies`, so several instances can be pooled. */
function runAutocannon(options: autocannon.Options, latencies: number[]): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ timeout: 10, ...options }, (error: unknown, result) => {
      if (error) reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }))
      else resolve(result)
    })
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime))
  })
}

/** Nearest-rank percentile of sorted values; 0 when there are none. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
}

const randomIndex = (length: number): number => Math.floor(Math.random() * length)

/**
 * POST /contacts/ bodies: 90% a new lead (unique external_id), 10% a repeat that takes the lead upsert's
 * update path — half of those a lead of the stored history when there is one, half an earlier one of this run.
 * One generator may feed several autocannon instances: the ids stay unique across them.
 */
export function contactRegistrations(sourceIds: number[], historyLeads: number): Load['requests'] {
  const prefix = `bench-${randomBytes(4).toString('hex')}-`
  let issued = 0
  const externalId = (): string => {
    const repeat = issued > 0 && Math.random() < 0.1
    if (!repeat) return `${prefix}${issued++}`
    if (historyLeads > 0 && Math.random() < 0.5) return `${HISTORY_LEAD_PREFIX}${randomIndex(historyLeads)}`
    return `${prefix}${randomIndex(issued)}`
  }
  const nextBody = (): string => {
    const phoneNumber = 9_000_000_000 + randomIndex(999_999_999)
    return JSON.stringify({
      external_id: externalId(),
      source_id: sourceIds[randomIndex(sourceIds.length)],
      phone: `+7${phoneNumber}`,
      ...(Math.random() < 0.5 && { email: `lead${phoneNumber}@example.com` }),
    })
  }
  return () => [
    {
      method: 'POST',
      path: '/contacts/',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => ({ ...request, body: nextBody() }),
    },
  ]
}

export interface ReadEndpoint {
  label: string
  request: () => autocannon.Request
}

/** The read endpoints of the reads scenario; the contacts list asks for a random operator's first page. */
export function readEndpoints(operatorIds: number[]): ReadEndpoint[] {
  return [
    {
      label: 'GET /contacts/?operator_id=…&limit=20',
      request: () => ({
        method: 'GET',
        path: '/contacts/',
        setupRequest: (request) => ({ ...request, path: `/contacts/?operator_id=${operatorIds[randomIndex(operatorIds.length)]}&limit=20` }),
      }),
    },
    { label: 'GET /operators/', request: () => ({ method: 'GET', path: '/operators/' }) },
    { label: 'GET /stats/contacts', request: () => ({ method: 'GET', path: '/stats/contacts' }) },
    { label: 'GET /stats/distribution', request: () => ({ method: 'GET', path: '/stats/distribution' }) },
  ]
}

/**
 * The churn: two registrations, then a close of a contact this load registered earlier — an id at least two
 * rounds of connections behind the registrations sent, so it is stored by then (closing a closed one answers 200
 * and changes nothing); until there is one, a third registration. With little room, registrations wait in the
 * queue and each close gives its slot to the oldest waiting contact.
 */
export function contactChurn(sourceIds: number[], sinceContactId: number, connections: number): Load['requests'] {
  const register = contactRegistrations(sourceIds, 0)
  let issued = 0
  const counted = (request: autocannon.Request): autocannon.Request => ({
    ...request,
    setupRequest: (req, context) => {
      issued++
      return typeof request.setupRequest === 'function' ? request.setupRequest(req, context) : req
    },
  })
  return () => {
    const [registration] = register()
    if (!registration) throw new Error('no registration request')
    const registerOne = counted(registration)
    const close: autocannon.Request = {
      method: 'PATCH',
      path: '/contacts/',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'closed' }),
      setupRequest: (request, context) => {
        const stored = issued - 2 * connections
        if (stored < 1) return typeof registerOne.setupRequest === 'function' ? registerOne.setupRequest({ ...request, ...registration }, context) : request
        return { ...request, path: `/contacts/${sinceContactId + 1 + randomIndex(stored)}` }
      },
    }
    return [registerOne, counted(registration), close]
  }
}
