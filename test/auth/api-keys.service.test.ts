import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import {
  BOOTSTRAP_KEY_NAME,
  createApiKey,
  ensureBootstrapKey,
  listApiKeys,
  revokeApiKey,
} from '../../src/auth/api-keys.service.js'
import { Authenticator, LAST_USED_INTERVAL_MS } from '../../src/auth/authenticator.js'
import { InvalidFieldError, NotFoundError } from '../../src/errors.js'
import { createSource } from '../../src/sources/sources.service.js'
import { uniqueName } from '../helpers/factories.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function db() {
  t = await createTestApp()
  return t.db
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describe('createApiKey', () => {
  it('answers a random key of 256 bits once and stores only its SHA-256 and first characters', async () => {
    const database = await db()
    const { key, apiKey } = await createApiKey(database, { name: ' ops ', role: 'admin' })
    expect(key).toMatch(/^crm_[A-Za-z0-9_-]{43}$/)
    expect(apiKey).toEqual({
      id: expect.any(Number),
      name: 'ops',
      role: 'admin',
      source_ids: null,
      key_prefix: key.slice(0, 12),
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
    })
    const row = await database.selectFrom('api_keys').selectAll().where('id', '=', apiKey.id).executeTakeFirstOrThrow()
    expect(row.key_hash).toBe(sha256(key))
    expect(JSON.stringify(row)).not.toContain(key)
    expect((await createApiKey(database, { name: 'ops', role: 'admin' })).key).not.toBe(key)
  })

  it('limits an ingest key to existing sources, each once', async () => {
    const database = await db()
    const a = await createSource(database, { name: uniqueName('Source') })
    const b = await createSource(database, { name: uniqueName('Source') })
    const { apiKey } = await createApiKey(database, { name: 'bot', role: 'ingest', source_ids: [b.id, a.id, b.id] })
    expect(apiKey.source_ids).toEqual([a.id, b.id].sort((x, y) => x - y))
    await expect(createApiKey(database, { name: 'bot', role: 'ingest', source_ids: [987654] })).rejects.toThrow(NotFoundError)
  })

  it('rejects sources on other roles, a blank name and an unknown role', async () => {
    const database = await db()
    const source = await createSource(database, { name: uniqueName('Source') })
    await expect(createApiKey(database, { name: 'v', role: 'viewer', source_ids: [source.id] })).rejects.toThrow(InvalidFieldError)
    await expect(createApiKey(database, { name: '   ', role: 'viewer' })).rejects.toThrow(InvalidFieldError)
    await expect(createApiKey(database, { name: 'x', role: 'root' as 'admin' })).rejects.toThrow(InvalidFieldError)
    expect(await listApiKeys(database)).toEqual([])
  })
})

describe('revokeApiKey', () => {
  it('revokes once and keeps the first time; an unknown id is NotFound', async () => {
    const database = await db()
    const { apiKey } = await createApiKey(database, { name: 'ops', role: 'admin' })
    const first = await revokeApiKey(database, apiKey.id)
    expect(first).toMatchObject({ alreadyRevoked: false, apiKey: { revoked_at: expect.any(String) } })
    const second = await revokeApiKey(database, apiKey.id)
    expect(second).toEqual({ alreadyRevoked: true, apiKey: first.apiKey })
    await expect(revokeApiKey(database, 987654)).rejects.toThrow(NotFoundError)
  })
})

describe('ensureBootstrapKey', () => {
  const KEY = 'bootstrap-key-for-tests-0123456789abcdef'

  it('stores the key once as an admin key, and a revoked one stays revoked', async () => {
    const database = await db()
    expect(await ensureBootstrapKey(database, KEY)).toBe('created')
    expect(await ensureBootstrapKey(database, KEY)).toBe('exists')
    const keys = await listApiKeys(database)
    expect(keys).toEqual([expect.objectContaining({ name: BOOTSTRAP_KEY_NAME, role: 'admin', source_ids: null, key_prefix: 'boot' })])
    await revokeApiKey(database, keys[0]!.id)
    expect(await ensureBootstrapKey(database, KEY)).toBe('revoked')
    expect(await listApiKeys(database)).toHaveLength(1)
  })
})

describe('Authenticator', () => {
  function silentLog() {
    const warnings: unknown[] = []
    const log = { warn: (...args: unknown[]) => warnings.push(args) } as never
    return { log, warnings }
  }

  it('remembers a valid key for the TTL only: a revocation takes effect when it ends', async () => {
    const database = await db()
    let now = 1_000_000
    const authenticator = new Authenticator({ db: database, log: silentLog().log, cacheTtlMs: 5_000, now: () => now })
    const { key, apiKey } = await createApiKey(database, { name: 'bot', role: 'ingest' })
    expect(await authenticator.authenticate(key)).toEqual({ keyId: apiKey.id, role: 'ingest', sourceIds: null })
    await revokeApiKey(database, apiKey.id)
    now += 4_999
    expect(await authenticator.authenticate(key)).not.toBeNull()
    now += 1
    expect(await authenticator.authenticate(key)).toBeNull()
    expect(await authenticator.authenticate('crm_unknown')).toBeNull()
    await authenticator.close()
  })

  it('writes last_used_at at most once a minute per key', async () => {
    const database = await db()
    let now = 1_000_000
    const authenticator = new Authenticator({ db: database, log: silentLog().log, cacheTtlMs: 0, now: () => now })
    const { key, apiKey } = await createApiKey(database, { name: 'bot', role: 'ingest' })
    const lastUsed = async () => {
      await authenticator.close()
      return (await listApiKeys(database)).find((k) => k.id === apiKey.id)!.last_used_at
    }
    const forget = () => database.updateTable('api_keys').set({ last_used_at: null }).execute()

    await authenticator.authenticate(key)
    expect(await lastUsed()).not.toBeNull()
    await forget()
    now += LAST_USED_INTERVAL_MS - 1
    await authenticator.authenticate(key)
    expect(await lastUsed()).toBeNull()
    now += 1
    await authenticator.authenticate(key)
    expect(await lastUsed()).not.toBeNull()
  })

  it('a failed last_used_at write is logged and does not fail the request', async () => {
    const database = await db()
    let now = 1_000_000
    const { log, warnings } = silentLog()
    const authenticator = new Authenticator({ db: database, log, cacheTtlMs: 10 * LAST_USED_INTERVAL_MS, now: () => now })
    const { key, apiKey } = await createApiKey(database, { name: 'bot', role: 'viewer' })
    await authenticator.authenticate(key)
    await authenticator.close()
    await database.schema.dropTable('api_keys').execute()

    now += LAST_USED_INTERVAL_MS
    expect(await authenticator.authenticate(key)).toMatchObject({ keyId: apiKey.id })
    await authenticator.close()
    expect(warnings).toHaveLength(1)
  })
})
