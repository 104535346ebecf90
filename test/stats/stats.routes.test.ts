import { describe, expect, it } from 'vitest'
import type { TestClient } from '../helpers/api-client.js'
import { sequence } from '../helpers/factories.js'
import { appPerTest, seededRandom } from '../helpers/test-app.js'

const setup = appPerTest()

interface Stats {
  total_contacts: number
  active_contacts: number
  closed_contacts: number
  unassigned_contacts: number
  waiting_contacts: number
  by_source: { source_id: number; total: number; active: number; unassigned: number; waiting: number }[]
  by_operator: { operator_id: number; total: number; active: number }[]
}

/** The invariant that ties loads to statistics: every active contact is held by a live operator or waiting. */
async function expectLoadsConsistent(api: TestClient) {
  const stats = (await api.get<Stats>('/stats/contacts')).body
  const operators = (await api.get<{ id: number; current_load: number }[]>('/operators/?limit=1000')).body
  const load = operators.reduce((sum, o) => sum + o.current_load, 0)
  expect(load + stats.waiting_contacts).toBe(stats.active_contacts)
  expect(stats.active_contacts + stats.closed_contacts).toBe(stats.total_contacts)
  for (const o of operators) {
    const row = stats.by_operator.find((r) => r.operator_id === o.id)
    expect(row?.active ?? 0).toBe(o.current_load)
  }
}

/** A by_source row of a source nothing was ever assigned from the queue for, and where nobody waits. */
function sourceRow({ id }: { id: number }, name: string, total: number, active: number, unassigned: number, waiting: number) {
  const queue = { oldest_waiting_at: null, assigned_from_queue: 0, average_wait_seconds: 0 }
  return { source_id: id, source_name: name, total, active, unassigned, waiting, ...queue }
}

describe('GET /stats/contacts', () => {
  it.each(['/stats/contacts', '/stats/contacts/'])('answers zeros and empty lists for an empty system at %s', async (path) => {
    const { api } = await setup()
    const response = await api.get(path)
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      total_contacts: 0,
      active_contacts: 0,
      closed_contacts: 0,
      unassigned_contacts: 0,
      waiting_contacts: 0,
      by_source: [],
      by_operator: [],
    })
  })

  it('counts totals, per source (with unassigned and waiting) and per operator', async () => {
    const { api } = await setup()
    const a = await api.createOperator({ name: 'Alice', max_load: 2 })
    const b = await api.createOperator({ name: 'Bob', max_load: 5 })
    // Bot leaves its waiting contacts to supervisors: closing a contact gives the slot to nobody.
    const s1 = await api.createSource('Bot', { assign_waiting: false })
    const s2 = await api.createSource('Site')
    const s3 = await api.createSource('Idle')
    await api.setWeights(s1.id, [[a.id, 1]])
    await api.setWeights(s2.id, [[b.id, 1]])
    const s1c1 = await api.registerContact({ source_id: s1.id }) // a
    await api.registerContact({ source_id: s1.id }) // a (now full)
    const s1c3 = await api.registerContact({ source_id: s1.id }) // unassigned
    const s1c4 = await api.registerContact({ source_id: s1.id }) // unassigned
    const s2c1 = await api.registerContact({ source_id: s2.id }) // b
    await api.registerContact({ source_id: s2.id }) // b
    await api.patch(`/contacts/${s1c1.id}`, { status: 'closed' })
    await api.patch(`/contacts/${s1c3.id}`, { status: 'closed' })
    await api.patch(`/contacts/${s2c1.id}`, { status: 'closed' })

    const stats = (await api.get('/stats/contacts')).body

    expect(stats).toEqual({
      total_contacts: 6,
      active_contacts: 3,
      closed_contacts: 3,
      unassigned_contacts: 2,
      waiting_contacts: 1,
      by_source: [
        { ...sourceRow(s1, 'Bot', 4, 2, 2, 1), oldest_waiting_at: (await api.get(`/contacts/${s1c4.id}`)).body.created_at },
        sourceRow(s2, 'Site', 2, 1, 0, 0),
        sourceRow(s3, 'Idle', 0, 0, 0, 0),
      ],
      by_operator: [
        { operator_id: a.id, operator_name: 'Alice', deleted: false, total: 2, active: 1, max_load: 2 },
        { operator_id: b.id, operator_name: 'Bob', deleted: false, total: 2, active: 1, max_load: 5 },
      ],
    })
    await expectLoadsConsistent(api)
  })

  it('keeps two operators with the same name apart, keyed by id', async () => {
    const { api } = await setup(sequence(0, 0.99, 0.99))
    const first = await api.createOperator({ name: 'Twin' })
    const second = await api.createOperator({ name: 'Twin' })
    const source = await api.createSource()
    await api.setWeights(source.id, [[first.id, 1], [second.id, 1]])
    await api.registerContact({ source_id: source.id }) // first
    await api.registerContact({ source_id: source.id }) // second
    await api.registerContact({ source_id: source.id }) // second

    const stats = (await api.get('/stats/contacts')).body

    expect(stats.by_operator).toEqual([
      { operator_id: first.id, operator_name: 'Twin', deleted: false, total: 1, active: 1, max_load: 10 },
      { operator_id: second.id, operator_name: 'Twin', deleted: false, total: 2, active: 2, max_load: 10 },
    ])
    const distribution = (await api.get('/stats/distribution')).body[0].operators
    expect(distribution.map((o: any) => [o.operator_id, o.operator_name, o.contacts])).toEqual([
      [first.id, 'Twin', 1],
      [second.id, 'Twin', 2],
    ])
  })

  it('counts an unassigned contact that is closed as unassigned but not waiting', async () => {
    const { api } = await setup()
    const source = await api.createSource()
    const c1 = await api.registerContact({ source_id: source.id })
    await api.registerContact({ source_id: source.id })
    await api.patch(`/contacts/${c1.id}`, { status: 'closed' })

    expect((await api.get('/stats/contacts')).body).toMatchObject({
      total_contacts: 2,
      active_contacts: 1,
      closed_contacts: 1,
      unassigned_contacts: 2,
      waiting_contacts: 1,
      by_source: [{ source_id: source.id, total: 2, active: 1, unassigned: 2, waiting: 1 }],
    })
  })

  it('closing twice counts once', async () => {
    const { api } = await setup()
    const { id: operatorId } = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[operatorId, 1]])
    const contact = await api.registerContact({ source_id: source.id })
    await api.patch(`/contacts/${contact.id}`, { status: 'closed' })
    await api.patch(`/contacts/${contact.id}`, { status: 'closed' })

    expect((await api.get('/stats/contacts')).body).toMatchObject({ total_contacts: 1, active_contacts: 0, closed_contacts: 1 })
    expect((await api.get('/stats/contacts')).body.by_operator[0]).toMatchObject({ total: 1, active: 0 })
    await expectLoadsConsistent(api)
  })

  it('after an operator is deleted: its active contacts wait, its closed ones still count for it', async () => {
    const { api } = await setup()
    const gone = await api.createOperator({ name: 'Gone' })
    const idle = await api.createOperator({ name: 'Idle' })
    const source = await api.createSource()
    await api.setWeights(source.id, [[gone.id, 1]])
    const closed = await api.registerContact({ source_id: source.id })
    await api.registerContact({ source_id: source.id })
    await api.patch(`/contacts/${closed.id}`, { status: 'closed' })
    await api.delete(`/operators/${idle.id}`)

    await api.delete(`/operators/${gone.id}`)

    const stats = (await api.get('/stats/contacts')).body
    expect(stats).toMatchObject({ total_contacts: 2, active_contacts: 1, closed_contacts: 1, unassigned_contacts: 1, waiting_contacts: 1 })
    // The deleted operator with history stays, marked deleted; the one without any contact disappears.
    expect(stats.by_operator).toEqual([
      { operator_id: gone.id, operator_name: 'Gone', deleted: true, total: 1, active: 0, max_load: 10 },
    ])
    expect(stats.by_source).toEqual([{ ...sourceRow(source, source.name, 2, 1, 1, 1), oldest_waiting_at: expect.any(String) }])
    await expectLoadsConsistent(api)
  })

  it('stays consistent through a mixed sequence of assignments, closes, deactivation and deletion', async () => {
    const { api } = await setup(seededRandom(11))
    const ops = [
      await api.createOperator({ max_load: 3 }),
      await api.createOperator({ max_load: 2 }),
      await api.createOperator({ max_load: 4 }),
    ]
    const sources = [await api.createSource(), await api.createSource()]
    await api.setWeights(sources[0]!.id, [[ops[0]!.id, 1], [ops[1]!.id, 2]])
    await api.setWeights(sources[1]!.id, [[ops[1]!.id, 1], [ops[2]!.id, 1]])
    const contacts: number[] = []
    for (let i = 0; i < 12; i++) contacts.push((await api.registerContact({ source_id: sources[i % 2]!.id })).id)
    await expectLoadsConsistent(api)

    for (const id of contacts.filter((_, i) => i % 3 === 0)) await api.patch(`/contacts/${id}`, { status: 'closed' })
    await expectLoadsConsistent(api)
    await api.patch(`/operators/${ops[2]!.id}`, { is_active: false })
    for (let i = 0; i < 4; i++) await api.registerContact({ source_id: sources[1]!.id })
    await expectLoadsConsistent(api)
    await api.delete(`/operators/${ops[1]!.id}`)
    await expectLoadsConsistent(api)
    for (let i = 0; i < 3; i++) await api.registerContact({ source_id: sources[0]!.id })
    await expectLoadsConsistent(api)

    const stats = (await api.get<Stats>('/stats/contacts')).body
    expect(stats.total_contacts).toBe(19)
    expect(stats.closed_contacts).toBe(4)
    expect(stats.by_source.reduce((n, s) => n + s.total, 0)).toBe(19)
    expect(stats.by_source.reduce((n, s) => n + s.waiting, 0)).toBe(stats.waiting_contacts)
    expect((await api.get('/contacts/?status=active&limit=1000')).body).toHaveLength(stats.active_contacts)
    expect((await api.get('/contacts/?assigned=false&status=active')).body).toHaveLength(stats.waiting_contacts)
  })
})

describe('GET /stats/distribution', () => {
  it.each(['/stats/distribution', '/stats/distribution/'])('answers an empty array without sources at %s', async (path) => {
    const { api } = await setup()
    const response = await api.get(path)
    expect(response.status).toBe(200)
    expect(response.body).toEqual([])
  })

  it('compares expected_share from weights with actual_share from assigned contacts', async () => {
    // Weights 10/30: 0.3 -> second, 0 -> first, 0.5 -> second, 0.9 -> second.
    const { api } = await setup(sequence(0.3, 0, 0.5, 0.9))
    const a = await api.createOperator({ name: 'A' })
    const b = await api.createOperator({ name: 'B' })
    const source = await api.createSource('Main')
    const empty = await api.createSource('Empty')
    await api.setWeights(source.id, [[a.id, 10], [b.id, 30]])
    for (let i = 0; i < 4; i++) await api.registerContact({ source_id: source.id })

    const response = await api.get('/stats/distribution')

    expect(response.status).toBe(200)
    expect(response.body).toEqual([
      {
        source_id: source.id,
        source_name: 'Main',
        total_contacts: 4,
        assigned_contacts: 4,
        unassigned_contacts: 0,
        operators: [
          { operator_id: a.id, operator_name: 'A', weight: 10, expected_share: 0.25, contacts: 1, actual_share: 0.25 },
          { operator_id: b.id, operator_name: 'B', weight: 30, expected_share: 0.75, contacts: 3, actual_share: 0.75 },
        ],
      },
      { source_id: empty.id, source_name: 'Empty', total_contacts: 0, assigned_contacts: 0, unassigned_contacts: 0, operators: [] },
    ])
  })

  it('leaves unassigned contacts out of actual_share', async () => {
    const { api } = await setup()
    const a = await api.createOperator({ max_load: 1 })
    const source = await api.createSource()
    await api.setWeights(source.id, [[a.id, 5]])
    await api.registerContact({ source_id: source.id })
    await api.registerContact({ source_id: source.id })
    await api.registerContact({ source_id: source.id })

    const [row] = (await api.get('/stats/distribution')).body
    expect(row).toMatchObject({ total_contacts: 3, assigned_contacts: 1, unassigned_contacts: 2 })
    expect(row.operators).toEqual([
      { operator_id: a.id, operator_name: a.name, weight: 5, expected_share: 1, contacts: 1, actual_share: 1 },
    ])
  })

  it('keeps operators that got contacts but are no longer configured, with weight 0', async () => {
    const { api } = await setup()
    const a = await api.createOperator()
    const b = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[a.id, 1]])
    await api.registerContact({ source_id: source.id })
    await api.setWeights(source.id, [[b.id, 2]])
    await api.registerContact({ source_id: source.id })

    const [row] = (await api.get('/stats/distribution')).body
    expect(row.operators).toEqual([
      { operator_id: a.id, operator_name: a.name, weight: 0, expected_share: 0, contacts: 1, actual_share: 0.5 },
      { operator_id: b.id, operator_name: b.name, weight: 2, expected_share: 1, contacts: 1, actual_share: 0.5 },
    ])
  })

  it('shows configured operators with no contacts yet, and zero shares when all weights are 0', async () => {
    const { api } = await setup()
    const a = await api.createOperator()
    const b = await api.createOperator()
    const s1 = await api.createSource()
    const s2 = await api.createSource()
    await api.setWeights(s1.id, [[a.id, 3], [b.id, 1]])
    await api.setWeights(s2.id, [[a.id, 0]])

    const body = (await api.get('/stats/distribution')).body
    expect(body[0].operators).toEqual([
      { operator_id: a.id, operator_name: a.name, weight: 3, expected_share: 0.75, contacts: 0, actual_share: 0 },
      { operator_id: b.id, operator_name: b.name, weight: 1, expected_share: 0.25, contacts: 0, actual_share: 0 },
    ])
    expect(body[1].operators).toEqual([
      { operator_id: a.id, operator_name: a.name, weight: 0, expected_share: 0, contacts: 0, actual_share: 0 },
    ])
  })

  it('tracks the weights statistically over many contacts', async () => {
    const { api } = await setup(seededRandom(2024))
    const a = await api.createOperator({ max_load: 1000 })
    const b = await api.createOperator({ max_load: 1000 })
    const source = await api.createSource()
    await api.setWeights(source.id, [[a.id, 10], [b.id, 30]])
    for (let i = 0; i < 300; i++) await api.registerContact({ source_id: source.id })

    type Share = { expected_share: number; contacts: number; actual_share: number }
    const [row] = (await api.get<{ operators: [Share, Share] }[]>('/stats/distribution')).body
    const [opA, opB] = row!.operators
    expect(opA.expected_share).toBe(0.25)
    expect(opB.expected_share).toBe(0.75)
    expect(opA.contacts + opB.contacts).toBe(300)
    expect(opA.actual_share + opB.actual_share).toBeCloseTo(1, 10)
    expect(Math.abs(opA.actual_share - 0.25)).toBeLessThan(0.1)
  })
})
