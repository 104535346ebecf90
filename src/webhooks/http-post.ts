import http from 'node:http'
import https from 'node:https'
import { checkLiteralHost, guardedLookup } from './target-guard.js'

/** How long a receiver has to answer, headers and body, before the attempt counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000
/** The most of a receiver's answer that is read (and thrown away): an endless body cannot hold a dispatcher. */
const MAX_ANSWER_BYTES = 64 * 1024

export type PostOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string }

/**
 * POSTs the body and says how the receiver answered: a 2xx within DELIVERY_TIMEOUT_MS is success. No redirect is
 * followed (a 3xx is a failure), and unless private networks are allowed, the address connected to must be public.
 */
export function postDelivery(
  target: string,
  body: string,
  headers: Record<string, string>,
  { allowPrivate, timeoutMs = DELIVERY_TIMEOUT_MS }: { allowPrivate: boolean; timeoutMs?: number },
): Promise<PostOutcome> {
  const url = new URL(target)
  try {
    if (!allowPrivate) checkLiteralHost(url)
  } catch (error) {
    return Promise.resolve({ ok: false, status: null, error: (error as Error).message })
  }
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal: AbortSignal.timeout(timeoutMs),
        ...(!allowPrivate && { lookup: guardedLookup }),
      },
      (response) => {
        const status = response.statusCode ?? 0
        let read = 0
        response.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (read > MAX_ANSWER_BYTES) response.destroy()
        })
        const settle = () => {
          resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `the receiver answered ${status}` })
        }
        response.on('end', settle)
        response.on('close', settle)
        response.on('error', settle)
      },
    )
    request.on('error', (error: Error & { code?: string }) => {
      const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError'
      resolve({ ok: false, status: null, error: timedOut ? `no answer within ${timeoutMs / 1000} s` : error.message })
    })
    request.end(body)
  })
}
