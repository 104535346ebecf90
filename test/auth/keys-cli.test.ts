import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createDb, type Db } from '../../src/db/database.js'
import { createSource } from '../../src/sources/sources.service.js'
import { uniqueName } from '../helpers/factories.js'
import { PROJECT_ROOT, TSX_LOADER } from '../helpers/server-process.js'
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js'

const KEYS_ENTRY = join(PROJECT_ROOT, 'src', 'keys.ts')
const KEY_PATTERN = /crm_[A-Za-z0-9_-]{43}/g

let database: TestDatabase
let cwd: string

beforeAll(async () => {
  database = await createTestDatabase('file')
  // An empty working directory: no .env of the project is read.
  cwd = await mkdtemp(join(tmpdir(), 'crm-keys-'))
})
afterAll(async () => {
  await database.drop()
  await rm(cwd, { recursive: true, force: true })
})

/** `npm run keys -- ...args`, as the built script runs it, on the test database. */
async function keys(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, KEYS_ENTRY, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const [code] = (await once(child, 'close')) as [number | null]
  return { code, stdout, stderr }
}

/** The app on the CLI's database, to check that a printed key is the real thing. */
async function withApp<T>(work: (request: (key: string) => Promise<number>) => Promise<T>): Promise<T> {
  const config = loadConfig({ DATABASE_URL: database.url })
  const db: Db = createDb(config.database)
  const app = await buildApp({ config, db, logger: false, authCacheTtlMs: 0 })
  try {
    return await work(async (key) => (await app.inject({ method: 'GET', url: '/operators/', headers: { authorization: `Bearer ${key}` } })).statusCode)
  } finally {
    await app.close()
    await db.destroy()
  }
}

describe('npm run keys', () => {
  it('creates, lists and revokes keys; a key is printed once, and works until revoked', async () => {
    const created = await keys('create', '--role', 'admin', '--name', 'ops')
    expect(created.code, created.stderr).toBe(0)
    const adminKey = created.stdout.match(KEY_PATTERN)?.[0]
    expect(adminKey).toBeDefined()
    expect(created.stdout).toMatch(/shown only this once/)
    expect(await withApp((request) => request(adminKey!))).toBe(200)

    const config = loadConfig({ DATABASE_URL: database.url })
    const db = createDb(config.database)
    const source = await createSource(db, { name: uniqueName('Source') }).finally(() => db.destroy())
    const ingest = await keys('create', '--role', 'ingest', '--name', 'telegram bot', '--sources', String(source.id))
    expect(ingest.code, ingest.stderr).toBe(0)
    const ingestKey = ingest.stdout.match(KEY_PATTERN)?.[0]
    expect(ingestKey).toBeDefined()

    const table = await keys('list')
    expect(table.code).toBe(0)
    expect(table.stdout).toContain('ops')
    expect(table.stdout).toContain('telegram bot')
    expect(table.stdout).toContain(adminKey!.slice(0, 12))
    expect(table.stdout.match(KEY_PATTERN)).toBeNull()

    const listed = JSON.parse((await keys('list', '--json')).stdout)
    expect(listed).toEqual([
      expect.objectContaining({ name: 'ops', role: 'admin', source_ids: null, revoked_at: null }),
      expect.objectContaining({ name: 'telegram bot', role: 'ingest', source_ids: [source.id], revoked_at: null }),
    ])
    expect(JSON.stringify(listed)).not.toContain(adminKey!)

    const revoked = await keys('revoke', String(listed[0].id))
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(revoked.stdout).toMatch(/Revoked API key/)
    expect(JSON.parse((await keys('list', '--json')).stdout)[0].revoked_at).toEqual(expect.any(String))
    expect(await withApp((request) => request(adminKey!))).toBe(401)
    // Several processes, each compiling the CLI through tsx: seconds apiece on two busy cores.
  }, 120_000)

  it('bad usage exits 2 with the usage; an unknown key or source exits 1; nothing is created', async () => {
    const before = JSON.parse((await keys('list', '--json')).stdout).length
    for (const args of [[], ['create', '--role', 'root', '--name', 'x'], ['rotate'], ['list', '--verbose']]) {
      const result = await keys(...args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toContain('npm run keys -- create --role')
    }
    expect((await keys('revoke', '987654')).code).toBe(1)
    const unknownSource = await keys('create', '--role', 'ingest', '--name', 'x', '--sources', '987654')
    expect(unknownSource.code).toBe(1)
    expect(unknownSource.stderr).toContain('Source 987654 not found')
    expect((await keys('create', '--role', 'viewer', '--name', 'x', '--sources', '1')).code).toBe(1)
    expect(JSON.parse((await keys('list', '--json')).stdout)).toHaveLength(before)
  }, 120_000)
})
