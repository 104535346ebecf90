import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { openRawSocket, parseAnswer, requestHead, type RawSocket } from '../helpers/raw-socket.js'
import { captureLogs, listenTestApp, type TestApp } from '../helpers/test-app.js'

const TIMEOUT_MS = 1500
/** The bound: the whole request is cut within REQUEST_TIMEOUT_MS plus a second or two. */
const GRACE_MS = 1500

let t: (TestApp & { url: string }) | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

/** Waits for the server to close the connection, at most `limitMs` (a failing server keeps it longer). */
async function closedWithin(raw: RawSocket, limitMs: number) {
  const outcome = await Promise.race([raw.closed, sleep(limitMs).then(() => undefined)])
  raw.socket.destroy()
  return outcome
}

async function expectCutWithTimeout(send: (raw: RawSocket) => void | Promise<void>) {
  const raw = await openRawSocket(t!.url)
  const trickle = send(raw)
  const closed = await closedWithin(raw, TIMEOUT_MS + GRACE_MS + 3000)
  await trickle
  expect(closed, 'the connection is still open').toBeDefined()
  expect(closed!.afterMs).toBeLessThanOrEqual(TIMEOUT_MS + GRACE_MS)
  expect(closed!.afterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100)
  const answer = parseAnswer(closed!.text)
  expect(answer.status).toBe(408)
  expect(JSON.parse(answer.body)).toEqual({ detail: expect.stringContaining(`${TIMEOUT_MS} ms`), code: 'REQUEST_TIMEOUT' })
  expect(answer.headers['content-type']).toMatch(/^application\/json/)
  expect(answer.headers.connection).toBe('close')
}

describe(`REQUEST_TIMEOUT_MS=${TIMEOUT_MS}: the whole request, headers and body, must arrive within it`, () => {
  it('cuts headers that stop half way, answering 408', async () => {
    t = await listenTestApp({ env: { REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } })
    await expectCutWithTimeout((raw) => {
      raw.write('POST /contacts/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty')
    })
  })

  it('cuts a request whose body never comes, answering 408', async () => {
    t = await listenTestApp({ env: { REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } })
    await expectCutWithTimeout((raw) => {
      raw.write(requestHead('POST', '/contacts/', 100))
    })
  })

  it('cuts a body sent a byte at a time, answering 408, and logs nothing above info', async () => {
    const logs = captureLogs()
    t = await listenTestApp({ env: { REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) }, logger: logs.logger })
    await expectCutWithTimeout(async (raw) => {
      raw.write(requestHead('POST', '/contacts/', 100))
      for (let i = 0; i < 20 && !raw.socket.destroyed; i++) {
        raw.write(' ')
        await sleep(200)
      }
    })
    await sleep(200)
    expect(logs.lines.filter((line) => line.level > 30)).toEqual([])
  })

  it('cuts slow headers sent a byte at a time too', async () => {
    t = await listenTestApp({ env: { REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } })
    await expectCutWithTimeout(async (raw) => {
      for (const char of 'GET /operators/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa') {
        if (raw.socket.destroyed) return
        raw.write(char)
        await sleep(100)
      }
    })
  })

  it('serves requests that arrive in time, also several on one keep-alive connection spread past the timeout', async () => {
    t = await listenTestApp({ env: { REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } })
    const raw = await openRawSocket(t.url)
    for (let i = 0; i < 3; i++) {
      const before = raw.received().length
      raw.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
      for (let j = 0; j < 40 && !/\r\n\r\n\{.*\}$/s.test(raw.received().slice(before)); j++) await sleep(25)
      expect(parseAnswer(raw.received().slice(before)).status).toBe(200)
      await sleep(TIMEOUT_MS / 2 + 100)
    }
    expect(raw.socket.destroyed).toBe(false)
    raw.socket.destroy()
  })
})
