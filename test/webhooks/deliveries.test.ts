import { Webhook as Verifier } from 'standardwebhooks'
import { afterEach, describe, expect, it } from 'vitest'
import { postDelivery } from '../../src/webhooks/http-post.js'
import { apiClient, type TestClient } from '../helpers/api-client.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { startReceiver } from '../helpers/webhook-receiver.js'

// Deliveries to a real receiver on 127.0.0.1: signed so that the Standard Webhooks library verifies them, retried
// with the same webhook-id, filtered by type, held back while disabled, and never slowed by another receiver.

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** An app that sends due deliveries every 20 ms and retries after 100 ms (then 100 ms, then fails). */
async function setup(retryDelaysMs = [100, 100]): Promise<{ api: TestClient; t: TestApp }> {
  const t = await createTestApp({
    env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_DISPATCH_INTERVAL_MS: '20' },
    random: () => 0,
    webhookRetryDelaysMs: retryDelaysMs,
  })
  cleanups.push(() => t.close())
  return { api: apiClient(t.app), t }
}

async function receiver(options?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(options)
  cleanups.push(() => r.close())
  return r
}

/** A source with one operator, so registrations get assigned. */
async function sourceWithOperator(api: TestClient) {
  const operator = await api.createOperator({ max_load: 10 })
  const source = await api.createSource()
  await api.setWeights(source.id, [[operator.id, 1]])
  return { operator, source }
}

const until = (check: () => boolean | Promise<boolean>, timeout = 5000) => expect.poll(check, { timeout, interval: 20 }).toBe(true)

describe('webhook deliveries', () => {
  it('POSTs each event, signed so that a Standard Webhooks library verifies it, with the contact as the API showed it then', async () => {
    const { api } = await setup()
    const r = await receiver()
    const { id: webhookId, secret } = await api.expectStatus(201, 'POST', '/webhooks', { url: r.url, events: ['*'] })
    const { source } = await sourceWithOperator(api)
    const contact = await api.registerContact({ source_id: source.id, phone: '+79001234567' })
    const closedContact = await api.expectStatus(200, 'PATCH', `/contacts/${contact.id}`, { status: 'closed' })
    // Changed since: the deliveries still carry the contact as it was.
    await api.expectStatus(200, 'PATCH', `/sources/${source.id}`, { name: 'Renamed since' })
    await until(() => r.received.length === 2)

    const verifier = new Verifier(secret)
    for (const { headers, body } of r.received) {
      expect(headers['content-type']).toBe('application/json')
      expect(headers['webhook-id']).toMatch(/^msg_\d+$/)
      expect(verifier.verify(body, headers as Record<string, string>)).toEqual(JSON.parse(body))
    }
    expect(() => new Verifier(`whsec_${Buffer.from('another secret of 24 bytes').toString('base64')}`).verify(r.received[0]!.body, r.received[0]!.headers as Record<string, string>)).toThrow()
    const [created, closed] = r.bodies()
    const events = await api.expectStatus<any[]>(200, 'GET', `/contacts/${contact.id}/events`)
    expect(created).toEqual({ type: 'contact.created', timestamp: events[0].occurred_at, data: { ...events[0], contact } })
    expect(closed).toEqual({ type: 'contact.closed', timestamp: events[1].occurred_at, data: { ...events[1], contact: closedContact } })
    await until(async () => (await api.get(`/webhooks/${webhookId}/deliveries?status=succeeded`)).body.length === 2)
    const deliveries = await api.expectStatus<any[]>(200, 'GET', `/webhooks/${webhookId}/deliveries?status=succeeded`)
    expect(deliveries.map((d) => [d.event_id, d.event_type, d.status, d.attempts, d.last_status_code])).toEqual([
      [events[1].id, 'contact.closed', 'succeeded', 1, 200],
      [events[0].id, 'contact.created', 'succeeded', 1, 200],
    ])
  })

  it('delivers only the types a webhook subscribed to, and nothing while it is disabled', async () => {
    const { api } = await setup()
    const [closedOnly, everything] = [await receiver(), await receiver()]
    await api.expectStatus(201, 'POST', '/webhooks', { url: closedOnly.url, events: ['contact.closed'] })
    const all = await api.expectStatus(201, 'POST', '/webhooks', { url: everything.url, events: ['*'] })
    await api.expectStatus(200, 'PATCH', `/webhooks/${all.id}`, { enabled: false })
    const { source } = await sourceWithOperator(api)
    const contact = await api.registerContact({ source_id: source.id })
    await api.expectStatus(200, 'PATCH', `/contacts/${contact.id}`, { status: 'closed' })
    await until(() => closedOnly.received.length === 1)
    expect(closedOnly.bodies().map((b) => b.type)).toEqual(['contact.closed'])
    // Disabled when the events happened: no delivery was written for it, none comes later.
    await api.expectStatus(200, 'PATCH', `/webhooks/${all.id}`, { enabled: true })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(everything.received).toEqual([])
    expect(await api.expectStatus(200, 'GET', `/webhooks/${all.id}/deliveries`)).toEqual([])
  })

  it('retries a failed attempt with the same webhook-id, recording each outcome, until a 2xx', async () => {
    const { api } = await setup([100, 100, 100])
    const r = await receiver({ answers: [503, 500] })
    const { id } = await api.expectStatus(201, 'POST', '/webhooks', { url: r.url, events: ['contact.created'] })
    const { source } = await sourceWithOperator(api)
    await api.registerContact({ source_id: source.id })
    await until(() => r.received.length === 1)
    await until(async () => (await api.get(`/webhooks/${id}/deliveries`)).body[0].last_status_code === 503)
    const failedOnce = (await api.get(`/webhooks/${id}/deliveries?status=pending`)).body
    expect(failedOnce).toMatchObject([{ attempts: 1, last_status_code: 503, last_error: 'the receiver answered 503', delivered_at: null }])
    await until(() => r.received.length === 3)
    await until(async () => (await api.get(`/webhooks/${id}/deliveries`)).body[0].status === 'succeeded')
    const [delivery] = (await api.get(`/webhooks/${id}/deliveries`)).body
    expect(delivery).toMatchObject({ attempts: 3, last_status_code: 200, last_error: null, next_attempt_at: null })
    expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([`msg_${delivery.id}`]))
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1)
  })

  it('fails a delivery after the last retry; a manual retry sends it again', async () => {
    const { api } = await setup([50, 50])
    const r = await receiver({ answers: [500, 500, 500] })
    const { id } = await api.expectStatus(201, 'POST', '/webhooks', { url: r.url, events: ['*'] })
    const test = await api.expectStatus(202, 'POST', `/webhooks/${id}/test`, undefined)
    await until(async () => (await api.get(`/webhooks/${id}/deliveries?status=failed`)).body.length === 1)
    expect(r.received).toHaveLength(3)
    expect((await api.get(`/webhooks/${id}/deliveries?status=failed`)).body[0]).toMatchObject({ id: test.id, attempts: 3, next_attempt_at: null, last_status_code: 500 })
    expect(await api.expectStatus(200, 'POST', `/webhooks/${id}/deliveries/${test.id}/retry`, undefined)).toMatchObject({ status: 'pending' })
    await until(async () => (await api.get(`/webhooks/${id}/deliveries?status=succeeded`)).body.length === 1)
    expect(r.received).toHaveLength(4)
  })

  it('sends webhook.test, signed with the secret in force: a rotated secret signs from then on', async () => {
    const { api } = await setup()
    const r = await receiver()
    const created = await api.expectStatus(201, 'POST', '/webhooks', { url: r.url, events: ['*'] })
    await api.expectStatus(202, 'POST', `/webhooks/${created.id}/test`, undefined)
    await until(() => r.received.length === 1)
    const { secret } = await api.expectStatus(200, 'POST', `/webhooks/${created.id}/rotate-secret`, undefined)
    await api.expectStatus(202, 'POST', `/webhooks/${created.id}/test`, undefined)
    await until(() => r.received.length === 2)
    const [before, after] = r.received
    expect(new Verifier(created.secret).verify(before!.body, before!.headers as Record<string, string>)).toMatchObject({ type: 'webhook.test', data: { webhook_id: created.id } })
    expect(new Verifier(secret).verify(after!.body, after!.headers as Record<string, string>)).toMatchObject({ type: 'webhook.test' })
    expect(() => new Verifier(created.secret).verify(after!.body, after!.headers as Record<string, string>)).toThrow()
  })

  it('a slow receiver holds neither the requests nor another receiver', async () => {
    const { api } = await setup()
    const [slow, fast] = [await receiver({ holdMs: 3000 }), await receiver()]
    await api.expectStatus(201, 'POST', '/webhooks', { url: slow.url, events: ['*'] })
    await api.expectStatus(201, 'POST', '/webhooks', { url: fast.url, events: ['*'] })
    const { source } = await sourceWithOperator(api)
    const started = Date.now()
    for (let i = 0; i < 6; i++) await api.registerContact({ source_id: source.id })
    await until(() => fast.received.length === 6, 2500)
    expect(Date.now() - started).toBeLessThan(2500)
    // The slow one has its first four (at most four in flight per webhook), still unanswered.
    expect(slow.received.length).toBeLessThanOrEqual(4)
  })
})

describe('a busy webhook', () => {
  it('is drained continuously: when a lane of sixteen ends the next is claimed at once, not at the next interval', async () => {
    const t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_DISPATCH_INTERVAL_MS: '1000' } })
    cleanups.push(() => t.close())
    const api = apiClient(t.app)
    const r = await receiver()
    await api.expectStatus(201, 'POST', '/webhooks', { url: r.url, events: ['contact.created'] })
    const source = await api.createSource()
    for (let i = 0; i < 100; i++) await api.registerContact({ source_id: source.id })
    const started = Date.now()
    // A lane per interval would take seven seconds; continuous lanes take one interval and a few milliseconds.
    await until(() => r.received.length === 100, 4000)
    expect(Date.now() - started).toBeLessThan(4000)
  })
})

describe('the address a delivery connects to', () => {
  it('is checked again when sent: a name that resolves to loopback is refused unless private networks are allowed', async () => {
    const r = await receiver()
    cleanups.push(() => r.close())
    const byName = r.url.replace('127.0.0.1', 'localhost')
    for (const url of [r.url, byName]) {
      const refused = await postDelivery(url, '{}', {}, { allowPrivate: false })
      expect(refused).toEqual({ ok: false, status: null, error: expect.stringMatching(/non-public address/) })
    }
    expect(r.received).toEqual([])
    expect(await postDelivery(byName, '{}', {}, { allowPrivate: true })).toEqual({ ok: true, status: 200 })
  })

  it('times out a receiver that does not answer', async () => {
    const r = await receiver({ holdMs: 2000 })
    expect(await postDelivery(r.url, '{}', {}, { allowPrivate: true, timeoutMs: 200 })).toEqual({ ok: false, status: null, error: 'no answer within 0.2 s' })
  })
})
