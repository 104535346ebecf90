import { afterEach, describe, expect, it } from 'vitest'
import { fetchClient } from '../helpers/api-client.js'
import { serverFleet } from '../helpers/server-process.js'
import { createTestDatabase } from '../helpers/test-database.js'
import { startReceiver } from '../helpers/webhook-receiver.js'

// A delivery whose first attempt failed survives a SIGKILL of the server before its retry: the restarted server
// sends it (after Standard Webhooks' first retry delay, 5 s) once the receiver is back, with the same webhook-id.

const fleet = serverFleet()
afterEach(() => fleet.afterEachTest())

describe('webhook deliveries across a crash', () => {
  it('retries after SIGKILL and a restart, with the same webhook-id, until the receiver takes it', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase('file')
    fleet.onCleanup(database.drop)
    const receiver = await startReceiver({ answers: [503] })
    fleet.onCleanup(receiver.close)
    const env = { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_DISPATCH_INTERVAL_MS: '100' }

    let server = await fleet.start(database.url, env)
    let api = fetchClient(server.url)
    const webhook = await api.expectStatus(201, 'POST', '/webhooks', { url: receiver.url, events: ['contact.created'] })
    const source = await api.createSource()
    const contact = await api.registerContact({ source_id: source.id })
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1)
    await expect.poll(async () => (await api.get(`/webhooks/${webhook.id}/deliveries`)).body[0]?.last_status_code, { timeout: 10_000 }).toBe(503)

    await fleet.stop(server, 'SIGKILL')
    expect(server.child.signalCode).toBe('SIGKILL')
    server = await fleet.start(database.url, env)
    api = fetchClient(server.url)

    await expect.poll(() => receiver.received.length, { timeout: 20_000, interval: 100 }).toBe(2)
    await expect.poll(async () => (await api.get(`/webhooks/${webhook.id}/deliveries`)).body[0]?.status, { timeout: 10_000 }).toBe('succeeded')
    const [delivery] = (await api.get(`/webhooks/${webhook.id}/deliveries`)).body
    expect(delivery).toMatchObject({ attempts: 2, last_status_code: 200 })
    const [first, retry] = receiver.received
    expect(retry!.headers['webhook-id']).toBe(first!.headers['webhook-id'])
    expect(JSON.parse(retry!.body).data.contact_id).toBe(contact.id)
  })
})
