import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.service.js'
import { expiredKeyCleanup, registerContactOnce } from '../../src/contacts/idempotency.service.js'
import { apiClient } from '../helpers/api-client.js'
import { expectError, expectValidationError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

let t: TestApp
let api: ReturnType<typeof apiClient>

beforeEach(async () => {
  t = await createTestApp({ random: () => 0 })
  api = apiClient(t.app)
})
afterEach(async () => {
  await t.close()
})

/** POST /contacts/ with an Idempotency-Key header (undefined: none), and an API key when given. */
async function postWithKey(app: TestApp['app'], key: string | undefined, payload: object, apiKey?: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/contacts/',
    headers: {
      'content-type': 'application/json',
      ...(key !== undefined && { 'idempotency-key': key }),
      ...(apiKey !== undefined && { authorization: `Bearer ${apiKey}` }),
    },
    payload: JSON.stringify(payload),
  })
  return { status: response.statusCode, body: response.json(), headers: response.headers }
}

/** A source whose only operator has room for `max_load` contacts. */
async function sourceWithOperator(max_load = 5) {
  const operator = await api.createOperator({ max_load })
  const source = await api.createSource()
  await api.setWeights(source.id, [[operator.id, 1]])
  return { operator, source }
}

/** What the registrations left behind: contacts of the source, the operator's load and the source's tallies. */
async function footprint(sourceId: number, operatorId: number) {
  const contacts = (await api.get(`/contacts/?source_id=${sourceId}`)).body
  const stats = (await api.get('/stats/contacts')).body
  return {
    contacts: contacts.length,
    leads: (await api.get('/leads/')).body.length,
    load: (await api.get(`/operators/${operatorId}`)).body.current_load,
    tally: stats.by_source.find((row: any) => row.source_id === sourceId)?.total ?? 0,
  }
}

/** Moves the key's creation time back, as if it had been stored `hours` ago. */
async function ageKey(key: string, hours: number) {
  const createdAt = new Date(Date.now() - hours * 3_600_000).toISOString()
  await t.db.updateTable('idempotency_keys').set({ created_at: createdAt }).where('key', '=', key).execute()
}

describe('POST /contacts/ with an Idempotency-Key', () => {
  it('answers a retry with the first answer and the Idempotent-Replayed header, registering nothing more', async () => {
    const { operator, source } = await sourceWithOperator()
    const body = { external_id: 'tg_1', source_id: source.id, phone: '+79001234567' }

    const first = await postWithKey(t.app, 'order-1', body)
    const retry = await postWithKey(t.app, 'order-1', body)

    expect(first.status).toBe(201)
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    expect(first.body.operator_id).toBe(operator.id)
    expect(retry.status).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.body).toEqual(first.body)
    expect(await footprint(source.id, operator.id)).toEqual({ contacts: 1, leads: 1, load: 1, tally: 1 })
  })

  it('replays the answer as first given, even after the contact changed', async () => {
    const { operator, source } = await sourceWithOperator()
    const body = { external_id: 'tg_2', source_id: source.id }
    const first = await postWithKey(t.app, 'order-2', body)
    expect((await api.patch(`/contacts/${first.body.id}`, { status: 'closed' })).status).toBe(200)

    const retry = await postWithKey(t.app, 'order-2', body)

    expect(retry.status).toBe(201)
    expect(retry.body).toEqual(first.body)
    expect(retry.body).toMatchObject({ status: 'active', closed_at: null })
    expect(await footprint(source.id, operator.id)).toEqual({ contacts: 1, leads: 1, load: 0, tally: 1 })
  })

  it('treats the same fields in another order, or with fields the contract ignores, as the same body', async () => {
    const { operator, source } = await sourceWithOperator()
    const first = await postWithKey(t.app, 'order-3', { external_id: 'tg_3', source_id: source.id, email: 'a@example.com' })

    const reordered = await postWithKey(t.app, 'order-3', { email: 'a@example.com', source_id: source.id, external_id: 'tg_3' })
    const withExtra = await postWithKey(t.app, 'order-3', { external_id: 'tg_3', source_id: source.id, email: 'a@example.com', id: 99 })

    expect([reordered.status, withExtra.status]).toEqual([201, 201])
    expect(reordered.body).toEqual(first.body)
    expect(withExtra.body).toEqual(first.body)
    expect(await footprint(source.id, operator.id)).toMatchObject({ contacts: 1, load: 1 })
  })

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body, changing nothing', async () => {
    const { operator, source } = await sourceWithOperator()
    await postWithKey(t.app, 'order-4', { external_id: 'tg_4', source_id: source.id })

    for (const other of [
      { external_id: 'tg_other', source_id: source.id },
      { external_id: 'tg_4', source_id: source.id, phone: '+1' },
    ]) {
      const response = await postWithKey(t.app, 'order-4', other)
      const [problem] = expectError(response, 422, 'IDEMPOTENCY_KEY_REUSED')
      expect(problem).toMatchObject({ loc: ['header', 'idempotency-key'], type: 'idempotency_key_reused' })
    }
    expect(await footprint(source.id, operator.id)).toEqual({ contacts: 1, leads: 1, load: 1, tally: 1 })
  })

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['with a space', 'order 5'],
    ['with a tab', 'order\t5'],
    ['with a non-ASCII character', 'zakaz-é'],
  ])('answers 422 naming the header for a key %s, registering nothing', async (_case, key) => {
    const { operator, source } = await sourceWithOperator()

    const response = await postWithKey(t.app, key, { external_id: 'tg_5', source_id: source.id })

    expectValidationError(response, ['header', 'idempotency-key'])
    expect(await footprint(source.id, operator.id)).toEqual({ contacts: 0, leads: 0, load: 0, tally: 0 })
  })

  it('accepts any visible ASCII key of 1 to 255 characters', async () => {
    const { source } = await sourceWithOperator(10)
    for (const key of ['k', 'k'.repeat(255), '!~"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}', '550e8400-e29b-41d4-a716-446655440000']) {
      const response = await postWithKey(t.app, key, { external_id: `tg-${key.length}`, source_id: source.id })
      expect(response.status, key).toBe(201)
    }
  })

  it('keeps keys apart: another key, or no key, registers another contact', async () => {
    const { operator, source } = await sourceWithOperator()
    const body = { external_id: 'tg_6', source_id: source.id }

    const responses = [
      await postWithKey(t.app, 'a', body),
      await postWithKey(t.app, 'b', body),
      await postWithKey(t.app, undefined, body),
      await postWithKey(t.app, undefined, body),
    ]

    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201])
    expect(responses.map((r) => r.headers['idempotent-replayed'])).toEqual([undefined, undefined, undefined, undefined])
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(4)
    expect(await footprint(source.id, operator.id)).toEqual({ contacts: 4, leads: 1, load: 4, tally: 4 })
  })

  it('a rejected request does not use up its key', async () => {
    const { operator, source } = await sourceWithOperator()

    const unknownSource = await postWithKey(t.app, 'order-7', { external_id: 'tg_7', source_id: source.id + 1000 })
    const corrected = await postWithKey(t.app, 'order-7', { external_id: 'tg_7', source_id: source.id })

    expectError(unknownSource, 404, 'NOT_FOUND')
    expect(corrected.status).toBe(201)
    expect(corrected.headers['idempotent-replayed']).toBeUndefined()
    expect(await footprint(source.id, operator.id)).toEqual({ contacts: 1, leads: 1, load: 1, tally: 1 })
  })

  it('treats an expired key as new, for the same body or another', async () => {
    const { operator, source } = await sourceWithOperator()
    const body = { external_id: 'tg_8', source_id: source.id }
    const first = await postWithKey(t.app, 'order-8', body)

    await ageKey('order-8', 23.9)
    const stillLive = await postWithKey(t.app, 'order-8', body)
    await ageKey('order-8', 24.1)
    const afterExpiry = await postWithKey(t.app, 'order-8', body)
    const replayOfNew = await postWithKey(t.app, 'order-8', body)
    await ageKey('order-8', 25)
    const otherBody = await postWithKey(t.app, 'order-8', { external_id: 'tg_8b', source_id: source.id })

    expect(stillLive.headers['idempotent-replayed']).toBe('true')
    expect(stillLive.body.id).toBe(first.body.id)
    expect(afterExpiry.status).toBe(201)
    expect(afterExpiry.headers['idempotent-replayed']).toBeUndefined()
    expect(afterExpiry.body.id).not.toBe(first.body.id)
    expect(replayOfNew.body).toEqual(afterExpiry.body)
    expect(otherBody.status).toBe(201)
    expect(otherBody.body.lead.external_id).toBe('tg_8b')
    expect(await footprint(source.id, operator.id)).toMatchObject({ contacts: 3, load: 3 })
  })

  it('takes the time to live from IDEMPOTENCY_KEY_TTL_HOURS', async () => {
    await t.close()
    t = await createTestApp({ env: { IDEMPOTENCY_KEY_TTL_HOURS: '0.5' } })
    api = apiClient(t.app)
    const { source } = await sourceWithOperator()
    const body = { external_id: 'tg_9', source_id: source.id }
    const first = await postWithKey(t.app, 'order-9', body)

    await ageKey('order-9', 0.4)
    const live = await postWithKey(t.app, 'order-9', body)
    await ageKey('order-9', 0.6)
    const expired = await postWithKey(t.app, 'order-9', body)

    expect(live.body.id).toBe(first.body.id)
    expect(expired.body.id).not.toBe(first.body.id)
  })

  it('scopes keys per API key: two clients may send the same key value, each gets its own contact', async () => {
    await t.close()
    t = await createTestApp({ authCacheTtlMs: 0 })
    api = apiClient(t.app)
    const { operator, source } = await sourceWithOperator()
    const first = (await createApiKey(t.db, { name: 'bot 1', role: 'ingest', source_ids: null })).key
    const second = (await createApiKey(t.db, { name: 'bot 2', role: 'ingest', source_ids: null })).key
    const body = { external_id: 'tg_10', source_id: source.id }

    const fromFirst = await postWithKey(t.app, 'shared', body, first)
    const fromSecond = await postWithKey(t.app, 'shared', body, second)
    const retryOfFirst = await postWithKey(t.app, 'shared', body, first)

    expect([fromFirst.status, fromSecond.status, retryOfFirst.status]).toEqual([201, 201, 201])
    expect(fromSecond.headers['idempotent-replayed']).toBeUndefined()
    expect(fromSecond.body.id).not.toBe(fromFirst.body.id)
    expect(retryOfFirst.headers['idempotent-replayed']).toBe('true')
    expect(retryOfFirst.body).toEqual(fromFirst.body)
    expect((await t.db.selectFrom('contacts').select('id').where('source_id', '=', source.id).execute()).length).toBe(2)
    expect((await t.db.selectFrom('operators').select('current_load').where('id', '=', operator.id).executeTakeFirstOrThrow()).current_load).toBe(2)
  })

  it('the service keeps scopes apart: one key value under two scopes registers twice', async () => {
    const { source } = await sourceWithOperator()
    const body = { external_id: 'tg_10', source_id: source.id }
    const once = (scope: number) => registerContactOnce(t.db, body, Math.random, { ref: { scope, key: 'shared' }, ttlHours: 24 })

    const [a, b, aAgain] = [await once(1), await once(2), await once(1)]

    expect(a.replayed).toBe(false)
    expect(b.replayed).toBe(false)
    expect(b.contact.id).not.toBe(a.contact.id)
    expect(aAgain).toEqual({ contact: a.contact, replayed: true })
  })

  it('shows the header and the replay marker in /openapi.json', async () => {
    const doc = (await api.get('/openapi.json')).body
    const post = doc.paths['/contacts/'].post

    expect(post.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'idempotency-key', required: false, schema: expect.objectContaining({ maxLength: 255 }) }),
    )
    expect(post.responses['201'].headers['idempotent-replayed']).toBeDefined()
  })
})

describe('answers stored before an upgrade', () => {
  it('replay with the fields added since (assigned_at, the source settings), as they were then', async () => {
    const { source } = await sourceWithOperator()
    const first = await postWithKey(t.app, 'before-upgrade', { external_id: 'old', source_id: source.id })
    // As stored by a version without the waiting queue.
    const older = structuredClone(first.body)
    delete older.assigned_at
    delete older.source.assign_waiting
    delete older.source.prefer_last_operator
    await t.db.updateTable('idempotency_keys').set({ response: JSON.stringify(older) }).where('key', '=', 'before-upgrade').execute()

    const replay = await postWithKey(t.app, 'before-upgrade', { external_id: 'old', source_id: source.id })

    expect(replay.status).toBe(201)
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.body).toEqual(first.body)
  })
})

describe('expired key cleanup', () => {
  async function storedKeys(): Promise<string[]> {
    const rows = await t.db.selectFrom('idempotency_keys').select('key').orderBy('key').execute()
    return rows.map((row) => row.key)
  }

  it('deletes expired keys and keeps live ones', async () => {
    const source = await api.createSource()
    for (const key of ['old-1', 'old-2', 'live']) {
      await registerContactOnce(t.db, { external_id: key, source_id: source.id }, Math.random, { ref: { scope: 0, key }, ttlHours: 24 })
    }
    await ageKey('old-1', 30)
    await ageKey('old-2', 48)
    await expiredKeyCleanup(t.db, 24)
    expect(await storedKeys()).toEqual(['live'])

    await ageKey('live', 30)
    await expiredKeyCleanup(t.db, 24)
    expect(await storedKeys()).toEqual([])
    // The contacts the keys made stay.
    expect((await api.get(`/contacts/?source_id=${source.id}`)).body).toHaveLength(3)
  })

  it('deletes more than one batch (1000) of expired keys in one run', async () => {
    const source = await api.createSource()
    const { id: contactId } = await api.registerContact({ source_id: source.id })
    const twoDaysAgo = Date.now() - 48 * 3_600_000
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      scope: 0,
      key: `bulk-${i}`,
      request_hash: 'x',
      contact_id: contactId,
      response: '{}',
      created_at: new Date(twoDaysAgo - i * 1000).toISOString(),
    }))
    for (let i = 0; i < rows.length; i += 500) await t.db.insertInto('idempotency_keys').values(rows.slice(i, i + 500)).execute()
    await expiredKeyCleanup(t.db, 24)

    expect(await t.db.selectFrom('idempotency_keys').select('key').execute()).toEqual([])
  })
})
