import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchClient } from '../helpers/api-client.js'
import { jsonLogs, runServerToExit } from '../helpers/run-process.js'
import { startServerIn, type ServerProcess } from '../helpers/server-process.js'
import { createTestDatabase } from '../helpers/test-database.js'

const running: ServerProcess[] = []
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')))
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** A fresh database and an empty working directory (no .env), for one server process. */
async function environment(env: Record<string, string>): Promise<{ cwd: string; env: Record<string, string> }> {
  const database = await createTestDatabase('file')
  const cwd = await mkdtemp(join(tmpdir(), 'crm-auth-start-'))
  cleanups.push(database.drop, () => rm(cwd, { recursive: true, force: true }))
  return { cwd, env: { PORT: '0', DATABASE_URL: database.url, ...env } }
}

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerIn(await environment(env))
  running.push(server)
  return server
}

describe('start-up without an API key', () => {
  it('refuses to listen on 0.0.0.0: exit 1, saying how to create a key or disable auth', async () => {
    const result = await runServerToExit(await environment({ HOST: '0.0.0.0' }))
    expect(result.timedOut).toBe(false)
    expect(result.code).toBe(1)
    for (const hint of ['npm run keys -- create --role admin --name ops', 'ADMIN_API_KEY', 'AUTH_DISABLED=true']) {
      expect(result.stderr).toContain(hint)
    }
    expect(result.stdout).not.toContain('Server listening')
  })

  it('with AUTH_DISABLED=true listens on 0.0.0.0, open, with a warning', async () => {
    const server = await start({ HOST: '0.0.0.0', AUTH_DISABLED: 'true' })
    expect((await fetchClient(server.url).get('/operators/')).status).toBe(200)
    expect(jsonLogs(server.logs).some((l) => l.level === 40 && /AUTH_DISABLED=true/.test(l.msg))).toBe(true)
  })

  it('on loopback listens, open, with a warning saying how to create a key', async () => {
    const server = await start({ HOST: '127.0.0.1' })
    expect((await fetchClient(server.url).get('/operators/')).status).toBe(200)
    expect(jsonLogs(server.logs).some((l) => l.level === 40 && l.msg.includes('npm run keys -- create'))).toBe(true)
  })
})

describe('ADMIN_API_KEY', () => {
  const KEY = 'container-admin-key-0123456789abcdefghij'

  it('bootstraps an admin key, so the server listens on 0.0.0.0 and requires keys', async () => {
    const server = await start({ HOST: '0.0.0.0', ADMIN_API_KEY: KEY })
    const response = await fetch(`${server.url}/operators/`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    const authorized = await fetch(`${server.url}/operators/`, { headers: { authorization: `Bearer ${KEY}` } })
    expect(authorized.status).toBe(200)
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
  })

  it('shorter than 32 characters stops start-up naming the variable, never printing it', async () => {
    const result = await runServerToExit(await environment({ HOST: '127.0.0.1', ADMIN_API_KEY: 'too-short-secret' }))
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('ADMIN_API_KEY')
    expect(result.stderr + result.stdout).not.toContain('too-short-secret')
  })
})
