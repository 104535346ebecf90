import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { classifyDatabaseError, markAsDriverError } from '../../src/db/database-errors.js'
import { openRawSocket, requestHead } from '../helpers/raw-socket.js'
import { captureLogs, listenTestApp, type TestApp } from '../helpers/test-app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const WARN = 40

/** Waits until the server has logged the end of request `reqId`, or a second has passed. */
async function settled(lines: { reqId?: string; msg?: string }[]): Promise<void> {
  for (let i = 0; i < 20 && !lines.some((l) => l.reqId !== undefined && l.msg !== 'incoming request'); i++) await sleep(50)
}

describe('a client that drops its upload', () => {
  it('is no database outage: logged at info at most, never DATABASE_UNAVAILABLE', async () => {
    const logs = captureLogs()
    const server = await listenTestApp({ logger: logs.logger })
    t = server
    const raw = await openRawSocket(server.url)
    raw.write(requestHead('POST', '/contacts/', 1000))
    raw.write('{"external_id": "x", ')
    await sleep(100)
    raw.socket.destroy()
    await settled(logs.lines)

    const loud = logs.lines.filter((line) => line.level >= WARN)
    expect(loud, JSON.stringify(loud)).toEqual([])
    expect(JSON.stringify(logs.lines)).not.toContain('DATABASE_UNAVAILABLE')
    expect(logs.lines.some((line) => line.level === 30 && /client left/.test(line.msg ?? ''))).toBe(true)
  })
})

describe('a request rejected whole', () => {
  it('is logged at debug, not as a client that left', async () => {
    const logs = captureLogs()
    const server = await listenTestApp({ logger: logs.logger })
    t = server
    const response = await fetch(`${server.url}/operators/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": 5}' })
    expect(response.status).toBe(422)
    await settled(logs.lines)
    expect(logs.lines.filter((line) => /client left/.test(line.msg ?? ''))).toEqual([])
    expect(logs.lines.some((line) => line.level === 20 && line.msg === 'request rejected')).toBe(true)
  })
})

describe('classifyDatabaseError', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code })

  it('counts network failures as the database’s only when its driver raised them', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']) {
      expect(classifyDatabaseError(withCode(code, 'aborted'))).toBeUndefined()
      expect(classifyDatabaseError(markAsDriverError(withCode(code)))).toBe('unavailable')
    }
    expect(classifyDatabaseError(new Error('Connection terminated unexpectedly'))).toBeUndefined()
    expect(classifyDatabaseError(markAsDriverError(new Error('Connection terminated unexpectedly')))).toBe('unavailable')
  })
})
