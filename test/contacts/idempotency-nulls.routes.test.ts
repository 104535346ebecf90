import { createHash } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/contacts/idempotency.service.js'
import type { TestClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { expectError } from '../helpers/http-assertions.js'
import { appPerTest, type TestApp } from '../helpers/test-app.js'

const setup = appPerTest()
let t: TestApp
let api: TestClient

beforeEach(async () => {
  ;({ api, ...t } = await setup())
})

async function postWithKey(key: string, payload: object) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/contacts/',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    payload: JSON.stringify(payload),
  })
  return { status: response.statusCode, body: response.json(), headers: response.headers }
}

describe('an Idempotency-Key retry that spells an absent field as null', () => {
  it.each([
    ['phone', 'null on the retry', {}, { phone: null }],
    ['phone', 'null first, absent on the retry', { phone: null }, {}],
    ['email', 'null on the retry', {}, { email: null }],
    ['phone and email', 'both null on the retry', { email: 'a@example.com' }, { email: 'a@example.com', phone: null }],
  ])('%s, %s: replays the first answer', async (_field, _case, first, retry) => {
    const source = await api.createSource()
    const key = uniqueName('order').replace(/\s/g, '-')
    const base = { external_id: uniqueName('lead'), source_id: source.id }

    const answer = await postWithKey(key, { ...base, ...first })
    const replay = await postWithKey(key, { ...base, ...retry })

    expect(answer.status).toBe(201)
    expect(replay.status, JSON.stringify(replay.body)).toBe(201)
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.body).toEqual(answer.body)
    expect((await api.get(`/contacts/?source_id=${source.id}`)).body).toHaveLength(1)
  })

  it('still answers 422 IDEMPOTENCY_KEY_REUSED when the retry sets a value the first request left out', async () => {
    const source = await api.createSource()
    const base = { external_id: uniqueName('lead'), source_id: source.id }
    expect((await postWithKey('order-null-1', { ...base, phone: null })).status).toBe(201)
    const response = await postWithKey('order-null-1', { ...base, phone: '+79001234567' })
    expectError(response, 422, 'IDEMPOTENCY_KEY_REUSED')
  })

  it('replays a key stored before nulls were ignored, whose hash still holds the null', async () => {
    const source = await api.createSource()
    const body = { external_id: uniqueName('lead'), source_id: source.id, phone: null, email: null }
    const answer = await postWithKey('order-legacy-1', body)
    const legacyHash = createHash('sha256').update(canonicalJson(body)).digest('hex')
    await t.db.updateTable('idempotency_keys').set({ request_hash: legacyHash }).where('key', '=', 'order-legacy-1').execute()

    const replay = await postWithKey('order-legacy-1', body)
    expect(replay.status).toBe(201)
    expect(replay.body).toEqual(answer.body)
  })
})
