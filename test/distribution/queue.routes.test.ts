import { describe, expect, it } from 'vitest'
import type { RandomSource } from '../../src/distribution/pick-operator.js'
import { expectError } from '../helpers/http-assertions.js'
import { appPerTest } from '../helpers/test-app.js'

// The waiting queue and the supervisor actions of SPEC.md part 2, through the API.

const appForTest = appPerTest()
const setup = async (random?: RandomSource) => (await appForTest(random)).api

type Api = Awaited<ReturnType<typeof setup>>

const contact = async (api: Api, id: number) => (await api.get(`/contacts/${id}`)).body
const operatorOf = async (api: Api, id: number) => (await contact(api, id)).operator_id as number | null
const load = async (api: Api, id: number) => (await api.get(`/operators/${id}`)).body.current_load as number

/** A source with one operator of the given limit, filled to it, and `waiting` contacts waiting behind it. */
async function fullOperatorWithQueue(api: Api, { max_load = 1, waiting = 2 } = {}) {
  const operator = await api.createOperator({ max_load })
  const source = await api.createSource()
  await api.setWeights(source.id, [[operator.id, 1]])
  const held = []
  for (let i = 0; i < max_load; i++) held.push(await api.registerContact({ source_id: source.id }))
  const queue = []
  for (let i = 0; i < waiting; i++) queue.push(await api.registerContact({ source_id: source.id }))
  expect(queue.every((c) => c.operator_id === null)).toBe(true)
  return { operator, source, held, queue }
}

describe('the queue drains on every trigger, in the same request', () => {
  it('closing a contact gives the slot to the oldest waiting contact', async () => {
    const api = await setup()
    const { operator, held, queue } = await fullOperatorWithQueue(api)
    await api.patch(`/contacts/${held[0]!.id}`, { status: 'closed' })
    expect([await operatorOf(api, queue[0]!.id), await operatorOf(api, queue[1]!.id)]).toEqual([operator.id, null])
  })

  it('raising max_load gives at most the room it created', async () => {
    const api = await setup()
    const { operator, queue } = await fullOperatorWithQueue(api, { waiting: 4 })
    const raised = await api.patch(`/operators/${operator.id}`, { max_load: 3 })
    expect(raised.body.current_load).toBe(3)
    expect(await Promise.all(queue.map((c) => operatorOf(api, c.id)))).toEqual([operator.id, operator.id, null, null])
  })

  it('switching an operator on gives it waiting contacts up to its limit', async () => {
    const api = await setup()
    const operator = await api.createOperator({ max_load: 2, is_active: false })
    const source = await api.createSource()
    await api.setWeights(source.id, [[operator.id, 1]])
    const queue = [await api.registerContact({ source_id: source.id }), await api.registerContact({ source_id: source.id }), await api.registerContact({ source_id: source.id })]
    const activated = await api.patch(`/operators/${operator.id}`, { is_active: true })
    expect(activated.body.current_load).toBe(2)
    expect(await Promise.all(queue.map((c) => operatorOf(api, c.id)))).toEqual([operator.id, operator.id, null])
  })

  it('renaming an operator drains nothing and changes no load', async () => {
    const api = await setup()
    const { operator, queue } = await fullOperatorWithQueue(api)
    await api.patch(`/operators/${operator.id}`, { name: 'Renamed' })
    expect(await operatorOf(api, queue[0]!.id)).toBeNull()
    expect(await load(api, operator.id)).toBe(1)
  })

  it('replacing a distribution gives the waiting contacts to the operators who may now take them', async () => {
    const api = await setup()
    const { source, queue } = await fullOperatorWithQueue(api)
    const helper = await api.createOperator({ max_load: 5 })
    const { operator } = await fullOperatorWithQueue(api) // another source's operator, untouched
    await api.setWeights(source.id, [[helper.id, 1]])
    expect(await Promise.all(queue.map((c) => operatorOf(api, c.id)))).toEqual([helper.id, helper.id])
    expect(await load(api, operator.id)).toBe(1)
  })

  it('deleting an operator hands its contacts to another who may take them, oldest first', async () => {
    const api = await setup()
    const { operator, source, held } = await fullOperatorWithQueue(api, { max_load: 2, waiting: 0 })
    const other = await api.createOperator({ max_load: 1 })
    await api.setWeights(source.id, [[operator.id, 1], [other.id, 1]])
    expect((await api.delete(`/operators/${operator.id}`)).status).toBe(204)
    expect([await operatorOf(api, held[0]!.id), await operatorOf(api, held[1]!.id)]).toEqual([other.id, null])
    expect(await load(api, other.id)).toBe(1)
  })

  it('switching assign_waiting on gives the waiting contacts out; while off, nothing is given automatically', async () => {
    const api = await setup()
    const { operator, source, held, queue } = await fullOperatorWithQueue(api)
    expect((await api.patch(`/sources/${source.id}`, { assign_waiting: false })).body.assign_waiting).toBe(false)
    await api.patch(`/contacts/${held[0]!.id}`, { status: 'closed' })
    expect(await operatorOf(api, queue[0]!.id)).toBeNull()
    expect(await load(api, operator.id)).toBe(0)

    const on = await api.patch(`/sources/${source.id}`, { assign_waiting: true })
    expect(on.status).toBe(200)
    expect([await operatorOf(api, queue[0]!.id), await operatorOf(api, queue[1]!.id)]).toEqual([operator.id, null])
  })

  it('a new contact still goes straight to an operator with room while the source keeps its queue for supervisors', async () => {
    const api = await setup()
    const operator = await api.createOperator({ max_load: 2 })
    const source = await api.createSource(undefined, { assign_waiting: false })
    await api.setWeights(source.id, [[operator.id, 1]])
    expect((await api.registerContact({ source_id: source.id })).operator_id).toBe(operator.id)
  })
})

describe('oldest first', () => {
  it('an operator who gains room takes the oldest waiting contact among all its sources', async () => {
    const api = await setup()
    const operator = await api.createOperator({ max_load: 1 })
    const [bot, site] = [await api.createSource(), await api.createSource()]
    await api.setWeights(bot.id, [[operator.id, 1]])
    await api.setWeights(site.id, [[operator.id, 1]])
    const held = await api.registerContact({ source_id: bot.id })
    const order = [
      await api.registerContact({ source_id: site.id }),
      await api.registerContact({ source_id: bot.id }),
      await api.registerContact({ source_id: site.id }),
    ]
    // Each close gives the one slot to the next contact in arrival order, whichever source it came from.
    let current = held
    for (const [i, next] of order.entries()) {
      await api.patch(`/contacts/${current.id}`, { status: 'closed' })
      expect(await Promise.all(order.map((c) => operatorOf(api, c.id)))).toEqual(order.map((_, k) => (k <= i ? operator.id : null)))
      current = next
    }
  })

  it('a contact of a source the operator may not take never blocks the ones it may', async () => {
    const api = await setup()
    const operator = await api.createOperator({ max_load: 1 })
    const [mine, other] = [await api.createSource(), await api.createSource()]
    await api.setWeights(mine.id, [[operator.id, 1]])
    const held = await api.registerContact({ source_id: mine.id })
    const foreign = await api.registerContact({ source_id: other.id })
    const own = await api.registerContact({ source_id: mine.id })
    await api.patch(`/contacts/${held.id}`, { status: 'closed' })
    expect([await operatorOf(api, foreign.id), await operatorOf(api, own.id)]).toEqual([null, operator.id])
  })
})

describe('POST /contacts/{id}/assign', () => {
  it('assigns a waiting contact to an operator with no weight on the source, and sets assigned_at', async () => {
    const api = await setup()
    const { source, queue } = await fullOperatorWithQueue(api)
    const outsider = await api.createOperator({ max_load: 1 })
    const response = await api.post(`/contacts/${queue[0]!.id}/assign`, { operator_id: outsider.id })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ id: queue[0]!.id, source_id: source.id, operator_id: outsider.id, operator: { id: outsider.id, current_load: 1 } })
    expect(Date.parse(response.body.assigned_at)).toBeGreaterThanOrEqual(Date.parse(response.body.created_at))
    const stats = (await api.get('/stats/contacts')).body.by_source.find((r: any) => r.source_id === source.id)
    expect(stats).toMatchObject({ waiting: 1, assigned_from_queue: 1 })
  })

  it('moves an active contact: the previous operator\'s slot goes to the oldest contact it may take', async () => {
    const api = await setup()
    const { operator, held, queue } = await fullOperatorWithQueue(api)
    const other = await api.createOperator({ max_load: 3 })
    const moved = await api.post(`/contacts/${held[0]!.id}/assign`, { operator_id: other.id })
    expect(moved.body).toMatchObject({ operator_id: other.id, status: 'active' })
    expect(await operatorOf(api, queue[0]!.id)).toBe(operator.id)
    expect([await load(api, operator.id), await load(api, other.id)]).toEqual([1, 1])
  })

  it('answers 409 OPERATOR_AT_CAPACITY without force, and changes nothing', async () => {
    const api = await setup()
    const { operator, queue } = await fullOperatorWithQueue(api)
    const before = await contact(api, queue[0]!.id)
    const detail = expectError(await api.post(`/contacts/${queue[0]!.id}/assign`, { operator_id: operator.id }), 409, 'OPERATOR_AT_CAPACITY')
    expect(detail).toContain('force')
    expect(await contact(api, queue[0]!.id)).toEqual(before)
    expect(await load(api, operator.id)).toBe(1)
  })

  it('force assigns past the limit; the operator then gets nothing automatically until back under it', async () => {
    const api = await setup()
    const { operator, source, held, queue } = await fullOperatorWithQueue(api, { waiting: 3 })
    const forced = await api.post(`/contacts/${queue[0]!.id}/assign`, { operator_id: operator.id, force: true })
    expect(forced.status).toBe(200)
    expect(await load(api, operator.id)).toBe(2)

    await api.patch(`/contacts/${held[0]!.id}`, { status: 'closed' }) // 1 of 1: still at its limit
    expect(await operatorOf(api, queue[1]!.id)).toBeNull()
    expect((await api.registerContact({ source_id: source.id })).operator_id).toBeNull()
    expect(await load(api, operator.id)).toBe(1)

    await api.patch(`/contacts/${queue[0]!.id}`, { status: 'closed' }) // 0 of 1: room again
    expect(await operatorOf(api, queue[1]!.id)).toBe(operator.id)
  })

  it('operator_id null hands the contact to another operator who may take it, never straight back', async () => {
    const api = await setup()
    const { operator, source, held } = await fullOperatorWithQueue(api, { waiting: 0 })
    const other = await api.createOperator({ max_load: 1 })
    await api.setWeights(source.id, [[operator.id, 1], [other.id, 1]])
    const response = await api.post(`/contacts/${held[0]!.id}/assign`, { operator_id: null })
    expect(response.body).toMatchObject({ operator_id: other.id })
    expect([await load(api, operator.id), await load(api, other.id)]).toEqual([0, 1])
  })

  it('operator_id null with nobody else to take it: it waits in its original place, and its old operator takes another', async () => {
    const api = await setup()
    const { operator, held, queue } = await fullOperatorWithQueue(api, { waiting: 1 })
    const response = await api.post(`/contacts/${held[0]!.id}/assign`, { operator_id: null })
    expect(response.body).toMatchObject({ operator_id: null, assigned_at: null, status: 'active' })
    expect(await operatorOf(api, queue[0]!.id)).toBe(operator.id)
    // Its original place is ahead of every later contact: the next slot is its.
    const later = await api.registerContact({ source_id: response.body.source_id })
    await api.patch(`/contacts/${queue[0]!.id}`, { status: 'closed' })
    expect([await operatorOf(api, held[0]!.id), await operatorOf(api, later.id)]).toEqual([operator.id, null])
  })

  it('operator_id null on a waiting contact, or the same operator again, changes nothing', async () => {
    const api = await setup()
    const { operator, held, queue } = await fullOperatorWithQueue(api)
    const before = [await contact(api, held[0]!.id), await contact(api, queue[0]!.id)]
    expect((await api.post(`/contacts/${queue[0]!.id}/assign`, { operator_id: null })).status).toBe(200)
    expect((await api.post(`/contacts/${held[0]!.id}/assign`, { operator_id: operator.id })).status).toBe(200)
    expect([await contact(api, held[0]!.id), await contact(api, queue[0]!.id)]).toEqual(before)
  })

  it('answers 404 for an unknown contact or operator, 409 CONTACT_CLOSED and OPERATOR_UNAVAILABLE, changing nothing', async () => {
    const api = await setup()
    const { operator, held, queue } = await fullOperatorWithQueue(api)
    const inactive = await api.createOperator({ is_active: false })
    const deleted = await api.createOperator()
    await api.delete(`/operators/${deleted.id}`)
    const closed = await api.registerContact({ source_id: (await contact(api, held[0]!.id)).source_id })
    await api.patch(`/contacts/${closed.id}`, { status: 'closed' })
    const before = (await api.get('/stats/contacts')).body

    expectError(await api.post(`/contacts/${queue.at(-1)!.id + 100}/assign`, { operator_id: operator.id }), 404, 'NOT_FOUND')
    expectError(await api.post(`/contacts/${queue[0]!.id}/assign`, { operator_id: deleted.id + 100 }), 404, 'NOT_FOUND')
    expectError(await api.post(`/contacts/${closed.id}/assign`, { operator_id: operator.id }), 409, 'CONTACT_CLOSED')
    expectError(await api.post(`/contacts/${queue[0]!.id}/assign`, { operator_id: inactive.id }), 409, 'OPERATOR_UNAVAILABLE')
    expectError(await api.post(`/contacts/${queue[0]!.id}/assign`, { operator_id: deleted.id, force: true }), 409, 'OPERATOR_UNAVAILABLE')

    expect((await api.get('/stats/contacts')).body).toEqual(before)
    expect(await operatorOf(api, queue[0]!.id)).toBeNull()
  })

  it.each([{}, { operator_id: 0 }, { operator_id: '7' }, { operator_id: 1, force: 'yes' }])('rejects %j with 422', async (payload) => {
    const api = await setup()
    const { queue } = await fullOperatorWithQueue(api)
    expect((await api.post(`/contacts/${queue[0]!.id}/assign`, payload)).status).toBe(422)
  })
})

describe('POST /operators/{id}/requeue', () => {
  it('switches the operator off and redistributes its contacts at once where possible, the rest wait', async () => {
    const api = await setup()
    const { operator, source, held } = await fullOperatorWithQueue(api, { max_load: 3, waiting: 0 })
    const other = await api.createOperator({ max_load: 2 })
    await api.setWeights(source.id, [[operator.id, 1], [other.id, 1]])
    const response = await api.post(`/operators/${operator.id}/requeue`, {})
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ id: operator.id, is_active: false, current_load: 0 })
    expect(await Promise.all(held.map((c) => operatorOf(api, c.id)))).toEqual([other.id, other.id, null])
    expect((await api.get('/stats/contacts')).body.waiting_contacts).toBe(1)
  })

  it('answers 404 for an unknown operator', async () => {
    const api = await setup()
    expectError(await api.post('/operators/999/requeue', {}), 404, 'NOT_FOUND')
  })
})

describe('PATCH /sources/{id}', () => {
  it('renames a source and changes its settings; answers them in every source', async () => {
    const api = await setup()
    const source = await api.createSource('Old name')
    const response = await api.patch(`/sources/${source.id}`, { name: '  New name ', prefer_last_operator: true })
    expect(response.body).toMatchObject({ id: source.id, name: 'New name', assign_waiting: true, prefer_last_operator: true })
    expect((await api.get(`/sources/${source.id}`)).body).toEqual(response.body)
    expect((await api.patch(`/sources/${source.id}`, { name: 'New name' })).status).toBe(200)
  })

  it('answers 409 SOURCE_NAME_TAKEN, 404 and 422, changing nothing', async () => {
    const api = await setup()
    const taken = await api.createSource('Taken')
    const source = await api.createSource('Mine')
    expectError(await api.patch(`/sources/${source.id}`, { name: 'Taken', assign_waiting: false }), 409, 'SOURCE_NAME_TAKEN')
    expectError(await api.patch(`/sources/${taken.id + 100}`, { name: 'X' }), 404, 'NOT_FOUND')
    expect((await api.patch(`/sources/${source.id}`, { name: '  ' })).status).toBe(422)
    expect((await api.patch(`/sources/${source.id}`, { assign_waiting: 'no' })).status).toBe(422)
    expect((await api.get(`/sources/${source.id}`)).body).toMatchObject({ name: 'Mine', assign_waiting: true })
  })
})

describe('sticky routing', () => {
  async function twoOperators(api: Api, prefer_last_operator: boolean) {
    const first = await api.createOperator({ max_load: 1 })
    const second = await api.createOperator({ max_load: 5 })
    const source = await api.createSource(undefined, { prefer_last_operator })
    await api.setWeights(source.id, [[first.id, 1], [second.id, 1]])
    return { first, second, source }
  }

  it('a returning lead goes to its last operator when it may take the contact, whatever the weights', async () => {
    // random 0 always picks the first operator by weight
    const api = await setup(() => 0)
    const { second, source } = await twoOperators(api, true)
    const other = await api.createSource()
    await api.setWeights(other.id, [[second.id, 1]])
    const elsewhere = await api.registerContact({ source_id: other.id, external_id: 'returning' })
    expect(elsewhere.operator_id).toBe(second.id)
    // The last operator came from another source; it is one of this source's too.
    expect((await api.registerContact({ source_id: source.id, external_id: 'returning' })).operator_id).toBe(second.id)
  })

  it('follows the operator a supervisor gave the lead to last', async () => {
    const api = await setup(() => 0.99)
    const { first, second, source } = await twoOperators(api, true)
    const c = await api.registerContact({ source_id: source.id, external_id: 'lead' })
    expect(c.operator_id).toBe(second.id)
    await api.post(`/contacts/${c.id}/assign`, { operator_id: first.id })
    await api.patch(`/contacts/${c.id}`, { status: 'closed' })
    expect((await api.registerContact({ source_id: source.id, external_id: 'lead' })).operator_id).toBe(first.id)
  })

  it('falls back to the weighted pick when the last operator may not take it now', async () => {
    const api = await setup(() => 0)
    const { first, second, source } = await twoOperators(api, true)
    expect((await api.registerContact({ source_id: source.id, external_id: 'lead' })).operator_id).toBe(first.id)
    // first is full now (max_load 1)
    expect((await api.registerContact({ source_id: source.id, external_id: 'lead' })).operator_id).toBe(second.id)
  })

  it('is off by default: the weighted pick decides', async () => {
    const api = await setup(() => 0.99)
    const { first, second, source } = await twoOperators(api, false)
    const c = await api.registerContact({ source_id: source.id, external_id: 'lead' })
    await api.post(`/contacts/${c.id}/assign`, { operator_id: first.id })
    await api.patch(`/contacts/${c.id}`, { status: 'closed' })
    expect((await api.registerContact({ source_id: source.id, external_id: 'lead' })).operator_id).toBe(second.id)
  })
})

describe('GET /sources/{id}/distribution/preview', () => {
  it('shows each operator, why it may not take a contact, and probabilities summing to 1; writes nothing', async () => {
    const api = await setup()
    const source = await api.createSource()
    const [a, b, inactive, full, zero] = [
      await api.createOperator({ name: 'A' }),
      await api.createOperator({ name: 'B' }),
      await api.createOperator({ name: 'Off', is_active: false }),
      await api.createOperator({ name: 'Full', max_load: 0 }),
      await api.createOperator({ name: 'Zero' }),
    ]
    await api.setWeights(source.id, [[a.id, 1], [b.id, 3], [inactive.id, 5], [full.id, 5], [zero.id, 0]])
    const stats = (await api.get('/stats/contacts')).body

    const response = await api.get(`/sources/${source.id}/distribution/preview`)

    expect(response.status).toBe(200)
    const row = (id: number, name: string, weight: number, max_load: number, reason: string | null, probability: number) => ({
      operator_id: id,
      operator_name: name,
      weight,
      current_load: 0,
      max_load,
      eligible: reason === null,
      reason,
      probability,
    })
    expect(response.body).toEqual({
      source_id: source.id,
      waiting: 0,
      operators: [
        row(a.id, 'A', 1, 10, null, 0.25),
        row(b.id, 'B', 3, 10, null, 0.75),
        row(inactive.id, 'Off', 5, 10, 'inactive', 0),
        row(full.id, 'Full', 5, 0, 'at_capacity', 0),
        row(zero.id, 'Zero', 0, 10, 'zero_weight', 0),
      ],
    })
    expect((await api.get('/stats/contacts')).body).toEqual(stats)
  })

  it('counts the waiting contacts; nobody eligible gives every probability 0', async () => {
    const api = await setup()
    const { source } = await fullOperatorWithQueue(api, { waiting: 2 })
    const body = (await api.get(`/sources/${source.id}/distribution/preview`)).body
    expect(body).toMatchObject({ waiting: 2, operators: [{ eligible: false, reason: 'at_capacity', probability: 0 }] })
  })

  it('answers 404 for an unknown source', async () => {
    const api = await setup()
    expectError(await api.get('/sources/999/distribution/preview'), 404, 'NOT_FOUND')
  })
})

describe('queue statistics', () => {
  it('per source: waiting, the oldest waiting contact, contacts assigned from the queue and their average wait', async () => {
    const api = await setup()
    const { held, queue, source } = await fullOperatorWithQueue(api, { waiting: 2 })
    const bySource = async () => (await api.get('/stats/contacts')).body.by_source.find((r: any) => r.source_id === source.id)
    expect(await bySource()).toMatchObject({
      waiting: 2,
      oldest_waiting_at: (await contact(api, queue[0]!.id)).created_at,
      assigned_from_queue: 0,
      average_wait_seconds: 0,
    })

    await new Promise((resolve) => setTimeout(resolve, 50))
    await api.patch(`/contacts/${held[0]!.id}`, { status: 'closed' })

    const given = await contact(api, queue[0]!.id)
    const waited = (Date.parse(given.assigned_at) - Date.parse(given.created_at)) / 1000
    const after = await bySource()
    expect(after).toMatchObject({ waiting: 1, oldest_waiting_at: (await contact(api, queue[1]!.id)).created_at, assigned_from_queue: 1 })
    expect(after.average_wait_seconds).toBeGreaterThanOrEqual(0.05)
    expect(after.average_wait_seconds).toBeCloseTo(waited, 2)
  })
})
