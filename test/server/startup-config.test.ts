import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchClient } from '../helpers/api-client.js'
import { freePort, jsonLogs, runServerToExit, waitForLog } from '../helpers/run-process.js'
import { startServerIn, type ServerProcess } from '../helpers/server-process.js'

const running: ServerProcess[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')))
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'crm-config-'))
  dirs.push(dir)
  return dir
}

async function start(options: Parameters<typeof startServerIn>[0]): Promise<ServerProcess> {
  const server = await startServerIn(options)
  running.push(server)
  return server
}

describe('start-up configuration', () => {
  const badValues: [name: string, value: string][] = [
    ['PORT', 'abc'],
    ['DEBUG', 'maybe'],
    ['DATABASE_URL', 'mysql://x'],
    ['API_V1_PREFIX', 'not a path'],
  ]

  it.each(badValues)(
    '%s=%j stops start-up with a non-zero exit naming the variable, before touching the database',
    async (name, value) => {
      const dir = await mkdtemp(join(tmpdir(), 'crm-config-'))
      try {
        const env = { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: `sqlite:///${join(dir, 'crm.db')}`, [name]: value }
        const result = await runServerToExit({ cwd: dir, env })

        expect(result.timedOut).toBe(false)
        expect(result.code).not.toBe(0)
        expect(result.code).not.toBeNull()
        expect(result.stderr).toContain(`${name}=${JSON.stringify(value)}`)
        expect(result.stdout).not.toContain('Server listening')
        // Nothing was created: not the configured database, not a default one in the working directory.
        expect(await readdir(dir)).toEqual([])
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    },
  )

  it('reports every bad variable at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crm-config-'))
    try {
      const result = await runServerToExit({ cwd: dir, env: { PORT: '99999', DEBUG: 'maybe', DATABASE_URL: 'mysql://x' } })
      expect(result.code).toBe(1)
      for (const name of ['PORT', 'DEBUG', 'DATABASE_URL']) expect(result.stderr).toContain(`${name}=`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('reads a .env file in the working directory', async () => {
    const dir = await tempDir()
    const port = await freePort()
    await writeFile(
      join(dir, '.env'),
      ['# settings for this test', `PORT=${port}`, 'HOST=127.0.0.1', 'DATABASE_URL=sqlite:///from-dotenv.db', 'APP_NAME="Dotenv CRM"', 'API_V1_PREFIX=/api/v1', ''].join('\n'),
    )
    const server = await start({ cwd: dir, env: {} })

    expect(server.url).toBe(`http://127.0.0.1:${port}`)
    // The relative SQLite path is resolved against the working directory.
    expect(existsSync(join(dir, 'from-dotenv.db'))).toBe(true)
    expect(server.logs.some((line) => line.includes('Dotenv CRM 1.0.0: interactive API docs'))).toBe(true)
    const api = fetchClient(`${server.url}/api/v1`)
    expect((await api.get('/health')).status).toBe(200)
    expect((await fetchClient(server.url).get('/operators/')).status).toBe(404)
  })

  it('lets the real environment win over .env, even over a value in .env that would be invalid', async () => {
    const dir = await tempDir()
    await writeFile(
      join(dir, '.env'),
      ['PORT=abc', 'DATABASE_URL=mysql://from-dotenv', 'APP_NAME=FromDotenv', 'APP_VERSION=9.9.9', ''].join('\n'),
    )
    const server = await start({
      cwd: dir,
      env: { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite:///from-env.db', APP_NAME: 'FromEnv' },
    })

    expect(existsSync(join(dir, 'from-env.db'))).toBe(true)
    expect(server.logs.some((line) => line.includes('FromEnv 9.9.9: interactive API docs'))).toBe(true)
    expect(server.logs.some((line) => line.includes('FromDotenv'))).toBe(false)
    expect((await fetchClient(server.url).get('/health')).status).toBe(200)
  })

  it('DEBUG=true logs a rejected request at debug level (20)', async () => {
    const dir = await tempDir()
    const server = await start({
      cwd: dir,
      env: { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite:///crm.db', DEBUG: 'true' },
    })
    const response = await fetchClient(server.url).get('/operators/987654')
    expect(response.status).toBe(404)

    await waitForLog(server.logs, (line) => line.includes('"request completed"') && line.includes('"statusCode":404'))
    const rejected = jsonLogs(server.logs).filter((l) => l.level === 20 && l.msg === 'request rejected')
    expect(rejected).toHaveLength(1)
    expect(rejected[0]!.err?.message).toContain('987654')
  })

  it('without DEBUG nothing is logged below info for the same request', async () => {
    const dir = await tempDir()
    const server = await start({ cwd: dir, env: { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: 'sqlite:///crm.db' } })
    expect((await fetchClient(server.url).get('/operators/987654')).status).toBe(404)

    await waitForLog(server.logs, (line) => line.includes('"request completed"') && line.includes('"statusCode":404'))
    const logs = jsonLogs(server.logs)
    expect(logs.length).toBeGreaterThan(3)
    expect(logs.filter((l) => l.level < 30)).toEqual([])
  })
})
