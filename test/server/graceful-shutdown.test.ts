import { Agent, request as httpRequest } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { exitOf, jsonLogs, tempDatabase, waitForLog } from '../helpers/run-process.js'
import { serverFleet } from '../helpers/server-process.js'

const fleet = serverFleet()
const { start, stop } = fleet
const agents: Agent[] = []

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy()
  await fleet.afterEachTest()
})

const isIncomingRequest = (line: string) => line.includes('"incoming request"')
const isIncomingRegistration = (line: string) => isIncomingRequest(line) && /"method":"POST","url":"\/contacts\/"/.test(line)

describe('graceful shutdown on SIGTERM', () => {
  it('answers every registration it accepted with a complete 201 and keeps every acknowledged contact', async () => {
    const database = await tempDatabase('crm-shutdown-')
    fleet.onCleanup(database.cleanup)
    const server = await start(database.url)
    const api = fetchClient(server.url)
    const source = await api.createSource()
    const operator = await api.createOperator({ max_load: 10 })
    await api.setWeights(source.id, [[operator.id, 1]])

    const outcomes = Array.from({ length: 50 }, (_, i) =>
      api
        .post('/contacts/', { external_id: uniqueName(`shutdown-${i}`), source_id: source.id })
        .then((response) => ({ response }))
        .catch((error: unknown) => ({ error })),
    )
    // Signal as soon as the server has begun to take the burst, so part of it is still in flight.
    await waitForLog(server.logs, () => server.logs.filter(isIncomingRegistration).length > 5)
    server.child.kill('SIGTERM')
    const results = await Promise.all(outcomes)
    expect(await exitOf(server.child)).toBe(0)

    const answered = results.flatMap((r) => ('response' in r ? [r.response] : []))
    const failed = results.filter((r) => 'error' in r)
    // A request either got a complete, successful answer or never reached the server: nothing in between.
    expect(answered.filter((r) => r.status !== 201).map((r) => [r.status, r.body])).toEqual([])
    for (const { body } of answered) {
      expect(body).toMatchObject({ id: expect.any(Number), source_id: source.id, status: 'active' })
    }
    expect(answered.length + failed.length).toBe(50)
    expect(answered.length).toBeGreaterThan(5)
    console.info(`graceful shutdown: ${answered.length} of 50 answered, ${failed.length} never reached the server`)
    const logs = jsonLogs(server.logs)
    expect(logs.some((l) => l.level === 30 && l.signal === 'SIGTERM' && /shutting down/.test(l.msg))).toBe(true)
    // Every registration the server took was completed with 201 and reached its client.
    const received = logs.filter((l) => l.msg === 'incoming request' && l.req?.url === '/contacts/').map((l) => l.reqId)
    const completed = new Map(logs.filter((l) => l.msg === 'request completed').map((l) => [l.reqId, l.res?.statusCode]))
    expect(received.map((id) => completed.get(id))).toEqual(Array(received.length).fill(201))
    expect(answered.length).toBe(received.length)

    const restarted = await start(database.url)
    const after = fetchClient(restarted.url)
    const stored = await after.listAll(`/contacts/?source_id=${source.id}`)
    expect(stored.map((c) => c.id).sort((x, y) => x - y)).toEqual(answered.map((r) => r.body.id).sort((x, y) => x - y))
    for (const { body } of answered) {
      expect((await after.get(`/contacts/${body.id}`)).body).toMatchObject({ id: body.id, lead_id: body.lead_id, operator_id: body.operator_id })
    }
    expect((await after.getOperator(operator.id)).current_load).toBe(Math.min(10, answered.length))
  })

  it('waits for a request whose body is still arriving when the signal comes, then exits 0', async () => {
    const database = await tempDatabase('crm-shutdown-slow-')
    fleet.onCleanup(database.cleanup)
    const server = await start(database.url)
    const api = fetchClient(server.url)
    const source = await api.createSource()
    const externalId = uniqueName('slow')
    const body = JSON.stringify({ external_id: externalId, source_id: source.id })
    const half = Math.floor(body.length / 2)
    const seenBefore = server.logs.filter(isIncomingRequest).length

    const url = new URL('/contacts/', server.url)
    // A client that keeps its connection open for reuse, as browsers and load balancers do.
    const agent = new Agent({ keepAlive: true })
    agents.push(agent)
    const request = httpRequest(url, {
      agent,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    })
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      request.on('response', (response) => {
        let text = ''
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
        response.on('end', () => { resolve({ status: response.statusCode ?? 0, text }) })
        response.on('error', reject)
      })
      request.on('error', reject)
    })
    request.flushHeaders()
    request.write(body.slice(0, half))
    await waitForLog(server.logs, () => server.logs.filter(isIncomingRequest).length > seenBefore)

    server.child.kill('SIGTERM')
    await waitForLog(server.logs, (line) => line.includes('shutting down'))
    // The server is closing; the request it already took must still be served.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(server.child.exitCode).toBeNull()
    request.end(body.slice(half))

    const { status, text } = await answer
    const answeredAt = Date.now()
    expect(status).toBe(201)
    const contact = JSON.parse(text)
    expect(contact.lead.external_id).toBe(externalId)
    // The kept-alive connection must not hold the shutdown until the client lets it go.
    expect(await exitOf(server.child)).toBe(0)
    expect(Date.now() - answeredAt).toBeLessThan(2_000)

    const restarted = await start(database.url)
    expect((await fetchClient(restarted.url).get(`/contacts/${contact.id}`)).body).toMatchObject({ id: contact.id, lead_id: contact.lead_id })
  })

  it('exits 0 at once on SIGINT when idle, and the log says it is shutting down', async () => {
    const database = await tempDatabase('crm-shutdown-idle-')
    fleet.onCleanup(database.cleanup)
    const server = await start(database.url)
    const startedAt = Date.now()
    expect(await stop(server, 'SIGINT')).toBe(0)
    expect(Date.now() - startedAt).toBeLessThan(5_000)
    expect(jsonLogs(server.logs).some((l) => l.signal === 'SIGINT' && /shutting down/.test(l.msg))).toBe(true)
  })
})
