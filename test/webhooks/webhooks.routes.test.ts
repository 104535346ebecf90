import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { expectError } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

// The webhooks admin API of SPEC.md part 2: CRUD, secrets shown only at creation and rotation, bad input, and
// targets that would make this server reach into its own network (SSRF).

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function setup(env: Record<string, string> = {}) {
  t = await createTestApp({ env })
  return apiClient(t.app)
}

const PUBLIC_URL = 'http://93.184.216.34/hooks/crm'

describe('the webhooks admin API', () => {
  it('creates a webhook with its secret, and shows the secret nowhere else', async () => {
    const api = await setup()
    const created = await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['contact.closed', 'contact.created'], description: 'Our CRM' })
    expect(created).toEqual({
      id: expect.any(Number),
      url: PUBLIC_URL,
      events: ['contact.closed', 'contact.created'],
      description: 'Our CRM',
      enabled: true,
      created_at: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
    })
    const { secret, ...shown } = created
    expect(await api.expectStatus(200, 'GET', `/webhooks/${created.id}`)).toEqual(shown)
    expect(await api.expectStatus(200, 'GET', '/webhooks')).toEqual([shown])
    for (const response of [await api.get('/webhooks'), await api.get(`/webhooks/${created.id}`), await api.patch(`/webhooks/${created.id}`, { enabled: false })]) {
      expect(response.text).not.toContain(secret)
    }
  })

  it('["*"] stands for every event type; a list with it is stored as ["*"], a type named twice once', async () => {
    const api = await setup()
    expect((await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['contact.closed', '*'] })).events).toEqual(['*'])
    const twice = await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['contact.closed', 'contact.created', 'contact.closed'] })
    expect(twice.events).toEqual(['contact.closed', 'contact.created'])
  })

  it('refuses an item nested deep in events with 422, not a stack overflow', async () => {
    const api = await setup()
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`
    const response = await api.raw('POST', '/webhooks', `{"url": "${PUBLIC_URL}", "events": [${deep}, ${deep}]}`)
    expectError(response, 422, 'VALIDATION_ERROR')
  })

  it('changes url, events, description and enabled, each alone', async () => {
    const api = await setup()
    const { id } = await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['*'] })
    expect(await api.expectStatus(200, 'PATCH', `/webhooks/${id}`, { enabled: false })).toMatchObject({ enabled: false, events: ['*'], url: PUBLIC_URL })
    expect(await api.expectStatus(200, 'PATCH', `/webhooks/${id}`, { events: ['contact.assigned'] })).toMatchObject({ enabled: false, events: ['contact.assigned'] })
    expect(await api.expectStatus(200, 'PATCH', `/webhooks/${id}`, { url: 'https://93.184.216.34/other', description: 'Moved' })).toMatchObject({
      url: 'https://93.184.216.34/other',
      description: 'Moved',
    })
    expect(await api.expectStatus(200, 'PATCH', `/webhooks/${id}`, { description: null })).toMatchObject({ description: null })
    expect(await api.expectStatus(200, 'PATCH', `/webhooks/${id}`, {})).toMatchObject({ id })
  })

  it('rotates the secret: a new one, shown once', async () => {
    const api = await setup()
    const created = await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['*'] })
    const rotated = await api.expectStatus(200, 'POST', `/webhooks/${created.id}/rotate-secret`, undefined)
    expect(rotated.secret).toMatch(/^whsec_/)
    expect(rotated.secret).not.toBe(created.secret)
    expect(rotated).toMatchObject({ id: created.id, url: PUBLIC_URL })
  })

  it('deletes a webhook with its deliveries; unknown ids answer 404 everywhere', async () => {
    const api = await setup()
    const { id } = await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['*'] })
    const test = await api.expectStatus(202, 'POST', `/webhooks/${id}/test`, undefined)
    expect(test).toMatchObject({ event_id: null, event_type: 'webhook.test', status: 'pending', attempts: 0 })
    expect(await api.expectStatus(200, 'GET', `/webhooks/${id}/deliveries`)).toEqual([test])
    await api.expectStatus(204, 'DELETE', `/webhooks/${id}`)
    expect(await t!.db.selectFrom('webhook_deliveries').selectAll().execute()).toEqual([])
    for (const [method, url, body] of [
      ['GET', `/webhooks/${id}`],
      ['PATCH', `/webhooks/${id}`, { enabled: true }],
      ['DELETE', `/webhooks/${id}`],
      ['POST', `/webhooks/${id}/rotate-secret`],
      ['POST', `/webhooks/${id}/test`],
      ['GET', `/webhooks/${id}/deliveries`],
      ['POST', `/webhooks/${id}/deliveries/${test.id}/retry`],
    ] as const) {
      expectError(await api.call(method, url, body), 404, 'NOT_FOUND')
    }
  })

  it('a delivery of another webhook, or none, answers 404 on retry', async () => {
    const api = await setup()
    const [a, b] = [
      await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['*'] }),
      await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['*'] }),
    ]
    const test = await api.expectStatus(202, 'POST', `/webhooks/${a.id}/test`, undefined)
    expectError(await api.post(`/webhooks/${b.id}/deliveries/${test.id}/retry`, undefined), 404, 'NOT_FOUND')
    expectError(await api.post(`/webhooks/${a.id}/deliveries/999999/retry`, undefined), 404, 'NOT_FOUND')
    expect(await api.expectStatus(200, 'POST', `/webhooks/${a.id}/deliveries/${test.id}/retry`, undefined)).toMatchObject({ id: test.id, status: 'pending' })
  })

  it.each([
    ['an unknown event type', { url: PUBLIC_URL, events: ['contact.deleted'] }, ['body', 'events', 0]],
    ['no event types', { url: PUBLIC_URL, events: [] }, ['body', 'events']],
    ['an ftp URL', { url: 'ftp://93.184.216.34/x', events: ['*'] }, ['body', 'url']],
    ['a URL with credentials', { url: 'https://user:pass@93.184.216.34/x', events: ['*'] }, ['body', 'url']],
    ['not a URL', { url: 'crm.example.com/hook', events: ['*'] }, ['body', 'url']],
    ['an oversize description', { url: PUBLIC_URL, events: ['*'], description: 'x'.repeat(501) }, ['body', 'description']],
    ['no url', { events: ['*'] }, ['body', 'url']],
  ])('refuses %s with 422 and creates nothing', async (_name, body, loc) => {
    const api = await setup()
    const response = await api.post('/webhooks', body)
    expectError(response, 422, 'VALIDATION_ERROR')
    expect(response.body.detail.map((p: { loc: unknown }) => p.loc)).toContainEqual(loc)
    expect(await api.expectStatus(200, 'GET', '/webhooks')).toEqual([])
  })

  it('keeps the secret out of the log', async () => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString())
        done()
      },
    })
    t = await createTestApp({ logger: { level: 'trace', stream } })
    const api = apiClient(t.app)
    const created = await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['*'] })
    const rotated = await api.expectStatus(200, 'POST', `/webhooks/${created.id}/rotate-secret`, undefined)
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.join('')).not.toContain(created.secret.slice(6))
    expect(lines.join('')).not.toContain(rotated.secret.slice(6))
  })
})

describe('webhook targets: no way into the server\'s own network', () => {
  it.each([
    'http://127.0.0.1:8000/x',
    'http://localhost:8000/x',
    'http://0.0.0.0/x',
    'http://10.1.2.3/x',
    'http://172.16.0.1/x',
    'http://192.168.1.10/x',
    'http://100.64.0.1/x',
    'http://169.254.169.254/latest/meta-data/',
    'http://2130706433/x',
    'http://0x7f.1/x',
    'http://[::1]/x',
    'http://[::]/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://[::7f00:1]/x',
    'http://[::ffff:169.254.169.254]/x',
    'http://[fe80::1]/x',
    'http://[fd00:ec2::254]/x',
    'http://[64:ff9b::a00:1]/x',
  ])('refuses %s at creation and as a new url', async (url) => {
    const api = await setup()
    const refused = await api.post('/webhooks', { url, events: ['*'] })
    expectError(refused, 422, 'VALIDATION_ERROR')
    expect(refused.body.detail[0].loc).toEqual(['body', 'url'])
    expect(refused.body.detail[0].msg).toMatch(/non-public address/)
    const { id } = await api.expectStatus(201, 'POST', '/webhooks', { url: PUBLIC_URL, events: ['*'] })
    expectError(await api.patch(`/webhooks/${id}`, { url }), 422, 'VALIDATION_ERROR')
    expect((await api.expectStatus(200, 'GET', `/webhooks/${id}`)).url).toBe(PUBLIC_URL)
  })

  it('accepts them with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true (receivers on the same network)', async () => {
    const api = await setup({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' })
    await api.expectStatus(201, 'POST', '/webhooks', { url: 'http://localhost:8000/x', events: ['*'] })
    await api.expectStatus(201, 'POST', '/webhooks', { url: 'http://[fd00::1]/x', events: ['*'] })
  })
})
