import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchClient, type TestClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { createTestDatabase } from '../helpers/test-database.js'

// One real server process on a SQLite file or a PostgreSQL schema; every test arranges its own data on it.
let server: ServerProcess | undefined
let api: TestClient
let cleanup: (() => Promise<void>) | undefined

const SWEEP_MS = 200

beforeAll(async () => {
  const database = await createTestDatabase('file')
  cleanup = database.drop
  server = await startServerProcess({ DATABASE_URL: database.url, QUEUE_SWEEP_INTERVAL_MS: String(SWEEP_MS) })
  api = fetchClient(server.url)
})

afterAll(async () => {
  await server?.stop('SIGTERM')
  await cleanup?.()
})

/** The operator's load as the API reports it beside the number of its active contacts, counted one by one. */
async function loadAndActive(operatorId: number) {
  const operator = await api.getOperator(operatorId)
  const active = await api.listAll(`/contacts/?operator_id=${operatorId}&status=active`)
  return { currentLoad: operator.current_load, maxLoad: operator.max_load, active: active.length }
}

/** Every stored contact, with the global stats read right after (nothing else runs meanwhile). */
async function globalTotalsAgree() {
  const all = await api.listAll('/contacts/')
  const stats = await api.contactStats()
  const active = all.filter((c) => c.status === 'active')
  expect(stats.total_contacts).toBe(all.length)
  expect(stats.active_contacts).toBe(active.length)
  expect(stats.closed_contacts).toBe(all.length - active.length)
  expect(stats.unassigned_contacts).toBe(all.filter((c) => c.operator_id === null).length)
  expect(stats.waiting_contacts).toBe(active.filter((c) => c.operator_id === null).length)
  return stats
}

describe('concurrent registrations against one real server', () => {
  it('300 registrations at once fill every eligible operator exactly to max_load and leave the rest unassigned', async () => {
    const sourceA = await api.createSource()
    const sourceB = await api.createSource()
    const maxLoads = [1, 2, 3, 4, 5, 1, 2, 3]
    const operators = []
    for (const max_load of maxLoads) operators.push(await api.createOperator({ max_load }))
    const inactive = await api.createOperator({ max_load: 5, is_active: false })
    const weightZero = await api.createOperator({ max_load: 5 })
    const [o0, o1, o2, o3, o4, o5, o6, o7] = operators.map((o) => o.id) as [number, number, number, number, number, number, number, number]
    // o2 and o5 serve both sources; the inactive operator has the heaviest weight on both.
    await api.setWeights(sourceA.id, [[o0, 1], [o1, 2], [o2, 3], [o3, 4], [o4, 5], [o5, 1], [inactive.id, 100], [weightZero.id, 0]])
    await api.setWeights(sourceB.id, [[o5, 2], [o6, 1], [o7, 3], [o2, 1], [inactive.id, 100], [weightZero.id, 0]])
    const capacity = maxLoads.reduce((a, b) => a + b, 0)

    const total = 300
    const requests = Array.from({ length: total }, (_, i) =>
      api.post('/contacts/', { external_id: uniqueName(`race-${i}`), source_id: i % 2 === 0 ? sourceA.id : sourceB.id }),
    )
    const responses = await Promise.all(requests)

    expect(responses.map((r) => r.status)).toEqual(Array(total).fill(201))
    const contacts = responses.map((r) => r.body)
    expect(new Set(contacts.map((c) => c.id)).size).toBe(total)
    expect(new Set(contacts.map((c) => c.lead_id)).size).toBe(total)
    const assigned = contacts.filter((c) => c.operator_id !== null)
    expect(assigned).toHaveLength(capacity)
    expect(contacts.filter((c) => c.operator_id === null)).toHaveLength(total - capacity)
    // Each answer's own view of its operator never shows a load above the limit.
    for (const contact of assigned) {
      expect(contact.operator.current_load).toBeLessThanOrEqual(contact.operator.max_load)
    }

    for (const [index, operator] of operators.entries()) {
      const { currentLoad, maxLoad, active } = await loadAndActive(operator.id)
      expect({ index, currentLoad, active }).toEqual({ index, currentLoad: maxLoad, active: maxLoad })
      expect(assigned.filter((c) => c.operator_id === operator.id)).toHaveLength(maxLoad)
    }
    for (const idle of [inactive, weightZero]) {
      expect(await loadAndActive(idle.id)).toEqual({ currentLoad: 0, maxLoad: 5, active: 0 })
      expect(assigned.filter((c) => c.operator_id === idle.id)).toHaveLength(0)
    }
    // Contacts went only to operators configured for their source.
    const servesA = new Set([o0, o1, o2, o3, o4, o5])
    const servesB = new Set([o5, o6, o7, o2])
    for (const contact of assigned) {
      expect((contact.source_id === sourceA.id ? servesA : servesB).has(contact.operator_id)).toBe(true)
    }

    const ours = await api.listAll(`/contacts/?source_id=${sourceA.id}`)
    ours.push(...(await api.listAll(`/contacts/?source_id=${sourceB.id}`)))
    expect(ours).toHaveLength(total)
    expect(ours.filter((c) => c.operator_id === null)).toHaveLength(total - capacity)
    expect(ours.filter((c) => c.operator_id !== null)).toHaveLength(capacity)

    const stats = await globalTotalsAgree()
    const bySource = stats.by_source.filter((s: any) => s.source_id === sourceA.id || s.source_id === sourceB.id)
    expect(bySource).toHaveLength(2)
    const sum = (key: string) => bySource.reduce((n: number, s: any) => n + Number(s[key]), 0)
    expect(sum('total')).toBe(total)
    expect(sum('active')).toBe(total)
    expect(sum('waiting')).toBe(total - capacity)
    for (const operator of operators) {
      expect(stats.by_operator.find((r: any) => r.operator_id === operator.id)).toMatchObject({
        total: operator.max_load,
        active: operator.max_load,
        max_load: operator.max_load,
      })
    }
    for (const idle of [inactive, weightZero]) {
      expect(stats.by_operator.find((r: any) => r.operator_id === idle.id)).toMatchObject({ total: 0, active: 0 })
    }
  })

  it('100 concurrent first contacts of one external_id make exactly one lead with 100 contacts', async () => {
    const source = await api.createSource()
    const externalId = uniqueName('same-lead')
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        api.post('/contacts/', { external_id: externalId, source_id: source.id, ...(i === 37 && { phone: '+79001234567' }) }),
      ),
    )

    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(201))
    const leadIds = new Set(responses.map((r) => r.body.lead_id))
    expect(leadIds.size).toBe(1)
    const leads = (await api.listAll('/leads/')).filter((lead) => lead.external_id === externalId)
    expect(leads).toHaveLength(1)
    expect(leads[0].id).toBe([...leadIds][0])
    expect(leads[0].phone).toBe('+79001234567')
    const contacts = await api.listAll(`/leads/${leads[0].id}/contacts`)
    expect(contacts).toHaveLength(100)
    expect(new Set(contacts.map((c) => c.id))).toEqual(new Set(responses.map((r) => r.body.id)))
  })

  it('50 concurrent closes of one contact free its operator slot exactly once', async () => {
    const source = await api.createSource()
    const operator = await api.createOperator({ max_load: 3 })
    await api.setWeights(source.id, [[operator.id, 1]])
    const contacts = [
      await api.registerContact({ source_id: source.id }),
      await api.registerContact({ source_id: source.id }),
      await api.registerContact({ source_id: source.id }),
    ]
    expect(contacts.map((c) => c.operator_id)).toEqual([operator.id, operator.id, operator.id])
    expect((await api.getOperator(operator.id)).current_load).toBe(3)

    const target = contacts[0]!
    const responses = await Promise.all(Array.from({ length: 50 }, () => api.patch(`/contacts/${target.id}`, { status: 'closed' })))

    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200))
    expect(new Set(responses.map((r) => r.body.status))).toEqual(new Set(['closed']))
    expect(new Set(responses.map((r) => r.body.closed_at)).size).toBe(1)
    expect(await loadAndActive(operator.id)).toEqual({ currentLoad: 2, maxLoad: 3, active: 2 })
    const stats = await globalTotalsAgree()
    expect(stats.by_operator.find((r: any) => r.operator_id === operator.id)).toMatchObject({ total: 3, active: 2 })
    expect(stats.by_source.find((r: any) => r.source_id === source.id)).toMatchObject({ total: 3, active: 2, waiting: 0 })

    // The freed slot is there exactly once: of two new contacts one gets the operator and one waits.
    const next = await Promise.all([api.registerContact({ source_id: source.id }), api.registerContact({ source_id: source.id })])
    expect(next.map((c) => c.operator_id).sort()).toEqual([operator.id, null].sort())
    expect(await loadAndActive(operator.id)).toEqual({ currentLoad: 3, maxLoad: 3, active: 3 })
  })

  it('closes and registrations interleaved keep current_load equal to the active contacts, never above max_load', async () => {
    const source = await api.createSource()
    const operators = [await api.createOperator({ max_load: 3 }), await api.createOperator({ max_load: 2 }), await api.createOperator({ max_load: 1 })]
    await api.setWeights(source.id, [[operators[0]!.id, 1], [operators[1]!.id, 1], [operators[2]!.id, 1]])
    const capacity = 6
    let active: any[] = []
    for (let i = 0; i < capacity; i += 1) active.push(await api.registerContact({ source_id: source.id }))
    expect(active.every((c) => c.operator_id !== null)).toBe(true)

    let registered = 0
    let closed = 0
    for (let round = 0; round < 3; round += 1) {
      // Close every assigned active contact while 60 new ones arrive, all requests shuffled and in flight together.
      const toClose = active.filter((c) => c.operator_id !== null)
      const jobs: (() => Promise<{ kind: 'close' | 'register'; response: any }>)[] = [
        ...toClose.map((c) => async () => ({ kind: 'close' as const, response: await api.patch(`/contacts/${c.id}`, { status: 'closed' }) })),
        ...Array.from({ length: 60 }, () => async () => ({
          kind: 'register' as const,
          response: await api.post('/contacts/', { external_id: uniqueName('interleaved'), source_id: source.id }),
        })),
      ]
      for (let i = jobs.length - 1; i > 0; i -= 1) {
        const j = Math.floor(Math.random() * (i + 1))
        ;[jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!]
      }
      const results = await Promise.all(jobs.map((job) => job()))

      const closes = results.filter((r) => r.kind === 'close')
      const registrations = results.filter((r) => r.kind === 'register')
      expect(closes.map((r) => r.response.status)).toEqual(Array(toClose.length).fill(200))
      expect(registrations.map((r) => r.response.status)).toEqual(Array(60).fill(201))
      closed += closes.length
      registered += registrations.length
      for (const { response } of registrations) {
        if (response.body.operator !== null) {
          expect(response.body.operator.current_load).toBeLessThanOrEqual(response.body.operator.max_load)
        }
      }

      // 60 arrivals exceed the capacity and every close gives its slot to a waiting contact in its own transaction:
      // once the requests settle, every operator is full and the rest wait. On SQLite at once; on PostgreSQL a
      // registration that found everyone full just before a close committed waits for the next sweep.
      const totalLoad = async () => (await Promise.all(operators.map((o) => loadAndActive(o.id)))).reduce((n, s) => n + s.currentLoad, 0)
      await expect.poll(totalLoad, { timeout: 20 * SWEEP_MS }).toBe(capacity)
      let load = 0
      for (const operator of operators) {
        const state = await loadAndActive(operator.id)
        expect(state.currentLoad).toBe(state.active)
        expect(state.currentLoad).toBeLessThanOrEqual(state.maxLoad)
        load += state.currentLoad
      }
      expect(load).toBe(capacity)

      active = await api.listAll(`/contacts/?source_id=${source.id}&status=active`)
      expect(active.filter((c) => c.operator_id !== null)).toHaveLength(load)
    }

    const stats = await globalTotalsAgree()
    expect(stats.by_source.find((r: any) => r.source_id === source.id)).toMatchObject({
      total: capacity + registered,
      active: capacity + registered - closed,
    })
    for (const operator of operators) {
      const row = stats.by_operator.find((r: any) => r.operator_id === operator.id)
      expect(row!.active).toBe((await api.getOperator(operator.id)).current_load)
    }
  })
})
