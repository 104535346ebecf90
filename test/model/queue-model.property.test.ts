import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { expectEventsToReplay } from '../helpers/event-replay.js'
import { createTestApp, seededRandom, type TestApp } from '../helpers/test-app.js'
import { runs } from '../property/harness.js'
import { QueueModel, type Outcome } from './queue-model.js'

// Random sequences of every operation that moves contacts, run one after another against the service and against
// a reference model in memory (queue-model.ts); after every step both must show the same state.

const OPERATORS = 4
const SOURCES = 2
const LEADS = ['a', 'b', 'c', 'd', 'e']

type Step =
  | { kind: 'register'; source: number; lead: string }
  | { kind: 'close'; contact: number }
  | { kind: 'assign'; contact: number; operator: number | null; force: boolean }
  | { kind: 'limit'; operator: number; max: number }
  | { kind: 'active'; operator: number; active: boolean }
  | { kind: 'weights'; source: number; weights: number[] }
  | { kind: 'assignWaiting'; source: number; on: boolean }
  | { kind: 'sticky'; source: number; on: boolean }
  | { kind: 'requeue'; operator: number }
  | { kind: 'delete'; operator: number }

const index = (n: number) => fc.integer({ min: 0, max: n - 1 })
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('register' as const), source: index(SOURCES), lead: fc.constantFrom(...LEADS) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('close' as const), contact: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('assign' as const), contact: fc.nat(), operator: fc.option(index(OPERATORS)), force: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('limit' as const), operator: index(OPERATORS), max: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('active' as const), operator: index(OPERATORS), active: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('weights' as const), source: index(SOURCES), weights: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: OPERATORS, maxLength: OPERATORS }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('assignWaiting' as const), source: index(SOURCES), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sticky' as const), source: index(SOURCES), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('requeue' as const), operator: index(OPERATORS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), operator: index(OPERATORS) }) },
)

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function runScenario(seed: number, steps: Step[]): Promise<void> {
  await t?.close()
  t = await createTestApp({ random: seededRandom(seed), env: { QUEUE_SWEEP_INTERVAL_MS: '0' } })
  const api = apiClient(t.app)
  const model = new QueueModel(seededRandom(seed))
  const operators: number[] = []
  const sources: number[] = []
  for (let i = 0; i < OPERATORS; i++) {
    const { id } = await api.createOperator({ max_load: 1 + (i % 2) })
    operators.push(id)
    model.addOperator(id, 1 + (i % 2), true)
  }
  // Every operator starts on both sources, so operators often choose between two queues.
  for (let i = 0; i < SOURCES; i++) {
    const { id } = await api.createSource()
    sources.push(id)
    model.addSource(id)
    const weights = operators.map((operatorId, k) => [operatorId, 1 + k] as [number, number])
    await api.setWeights(id, weights)
    model.setWeights(id, weights)
  }
  const contacts: number[] = []
  const deleted = new Set<number>()
  const live = () => operators.filter((id) => !deleted.has(id))

  for (const [n, step] of steps.entries()) {
    const where = `step ${n} ${JSON.stringify(step)}`
    switch (step.kind) {
      case 'register': {
        const lead = `${seed}-${step.lead}`
        const contact = await api.registerContact({ source_id: sources[step.source]!, external_id: lead })
        contacts.push(contact.id)
        model.register(contact.id, sources[step.source]!, lead)
        break
      }
      case 'close': {
        if (contacts.length === 0) continue
        const id = contacts[step.contact % contacts.length]!
        expect((await api.patch(`/contacts/${id}`, { status: 'closed' })).status, where).toBe(200)
        model.close(id)
        break
      }
      case 'assign': {
        if (contacts.length === 0) continue
        const id = contacts[step.contact % contacts.length]!
        const target = step.operator === null ? null : operators[step.operator]!
        const response = await api.post(`/contacts/${id}/assign`, { operator_id: target, force: step.force })
        const outcome: Outcome = model.assign(id, target, step.force)
        expect(response.status === 200 ? 'ok' : response.body.code, where).toBe(outcome)
        break
      }
      case 'limit':
      case 'active': {
        const id = operators[step.operator]!
        if (deleted.has(id)) continue
        const changes = step.kind === 'limit' ? { max_load: step.max } : { is_active: step.active }
        expect((await api.patch(`/operators/${id}`, changes)).status, where).toBe(200)
        model.updateOperator(id, step.kind === 'limit' ? { max: step.max } : { active: step.active })
        break
      }
      case 'weights': {
        const weights = live().map((id) => [id, step.weights[operators.indexOf(id)]!] as [number, number])
        await api.setWeights(sources[step.source]!, weights)
        model.setWeights(sources[step.source]!, weights)
        break
      }
      case 'assignWaiting':
      case 'sticky': {
        const id = sources[step.source]!
        const changes = step.kind === 'sticky' ? { prefer_last_operator: step.on } : { assign_waiting: step.on }
        expect((await api.patch(`/sources/${id}`, changes)).status, where).toBe(200)
        model.setSource(id, step.kind === 'sticky' ? { sticky: step.on } : { assignWaiting: step.on })
        break
      }
      case 'requeue':
      case 'delete': {
        const id = operators[step.operator]!
        if (deleted.has(id)) continue
        const response = step.kind === 'delete' ? await api.delete(`/operators/${id}`) : await api.post(`/operators/${id}/requeue`, {})
        expect(response.status, where).toBe(step.kind === 'delete' ? 204 : 200)
        if (step.kind === 'delete') deleted.add(id)
        model.handBack(id, step.kind === 'delete')
        break
      }
    }
    await expectSameState(api, model, live(), where)
  }
}

async function expectSameState(api: ReturnType<typeof apiClient>, model: QueueModel, live: number[], where: string) {
  const contacts = (await api.get('/contacts/?limit=1000')).body as { id: number; operator_id: number | null; status: string }[]
  expect(contacts.map((c) => [c.id, c.operator_id, c.status]), `contacts after ${where}`).toEqual(
    model.contacts.map((c) => [c.id, c.operatorId, c.active ? 'active' : 'closed']),
  )
  // The running tallies behind the statistics agree with the model's contacts too.
  const stats = (await api.get('/stats/contacts')).body as { by_source: { source_id: number; waiting: number; active: number; total: number }[] }
  expect(stats.by_source.map((r) => [r.source_id, r.total, r.active, r.waiting]), `statistics after ${where}`).toEqual(
    [...model.sources.keys()].map((id) => {
      const own = model.contacts.filter((c) => c.sourceId === id)
      return [id, own.length, own.filter((c) => c.active).length, own.filter((c) => c.active && c.operatorId === null).length]
    }),
  )
  const operators = (await api.get('/operators/')).body as { id: number; is_active: boolean; current_load: number; max_load: number }[]
  expect(operators.map((o) => [o.id, o.is_active, o.current_load, o.max_load]), `operators after ${where}`).toEqual(
    live.map((id) => model.operators.get(id)!).map((o) => [o.id, o.active, o.load, o.max]),
  )
  // And so does the event log, replayed.
  expectEventsToReplay((await api.get('/contacts/?limit=1000')).body, (await api.get('/events?limit=1000')).body, `after ${where}`)
}

describe('the assignment lifecycle against a reference model', () => {
  it('every step leaves the service in the state the model computes', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.array(stepArb, { minLength: 10, maxLength: 40 }), runScenario),
      { numRuns: runs(25), endOnFailure: true },
    )
  })
})
