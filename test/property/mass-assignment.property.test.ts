import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_BACKEND } from '../helpers/test-database.js'
import { defineField, IdRef, idRefArb, type GeneratedRequest, type IdPick } from './arbitraries.js'
import { Harness, runs, type Snapshot } from './harness.js'
import { concretize, describeExchange, send } from './request.js'

/**
 * Clients never set ids, current_load, timestamps or a contact's operator through fields the contract
 * does not give them. Each request goes, with generated foreign fields, to one app and, without them, to
 * a twin app holding the same rows: the answers and the whole states must come out the same (timestamps
 * aside, which must be the server's clock, never a generated one). So the fields are ignored, always:
 * 2xx, no effect. The one exception is the JSON parser's: a `__proto__` key, or a `constructor` holding a
 * `prototype`, is refused as a whole body (400 INVALID_JSON, nothing changed), always.
 */

const RUNS = TEST_BACKEND === 'postgres' ? 25 : 50
const TIMEOUT_MS = 120_000

const nonBlank = fc.oneof(
  fc.constantFrom('Иван Иванов', '李小龙', '  padded  ', "O'Brien"),
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ''),
)
const email = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/), fc.constantFrom('example.com', 'mail.ru')).map(([local, domain]) => `${local}@${domain}`)
const existing = (entity: IdRef['entity'], picks: IdPick[] = ['existing']) => idRefArb(entity, picks)

const longAgo = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2001-01-01T00:00:00Z'), noInvalidDate: true })
const farAhead = fc.date({ min: new Date('2090-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
const timestamp = fc.oneof(longAgo.map((d) => d.toISOString()), farAhead.map((d) => d.toISOString()), fc.constantFrom<unknown>(null, 'now', 0, ''))

/** Plausible values for a foreign field: what a client trying to set it would send. */
function foreignValue(key: string): fc.Arbitrary<unknown> {
  const ids = (entity: IdRef['entity']) => fc.oneof(existing(entity, ['existing', 'deleted', 'missing']), fc.constantFrom<unknown>(null, 0, -1, '1'))
  switch (key) {
    case 'id':
      return fc.oneof(existing('operator'), existing('source'), existing('contact'), existing('lead'), fc.constantFrom<unknown>(0, -1, 999_999, 2_147_483_647, '5', null))
    case 'current_load':
      return fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.constantFrom<unknown>('3', null))
    case 'operator_id':
      return ids('operator')
    case 'lead_id':
      return ids('lead')
    case 'source_id':
      return ids('source')
    case 'status':
      return fc.constantFrom<unknown>('closed', 'active', 'deleted', null, 1)
    case 'share':
      return fc.double({ noNaN: true })
    case 'operator_name':
      return fc.string()
    case 'operator':
    case 'lead':
    case 'source':
      return fc.record({ id: existing(key), name: fc.string() })
    case '__proto__':
      return fc.constantFrom<unknown>({ current_load: 7 }, { is_active: false }, { status: 'closed' }, { operator_id: 1 }, null, 1)
    case 'constructor':
      return fc.constantFrom<unknown>({ prototype: { current_load: 7 } }, { name: 'x' }, 'x', 1, null, [])
    default:
      return key.endsWith('_at') ? timestamp : fc.jsonValue({ maxDepth: 2 })
  }
}

/** One to all of the given keys, each with a generated value, in a generated order. */
function foreignFields(keys: string[]): fc.Arbitrary<[string, unknown][]> {
  return fc
    .shuffledSubarray(keys, { minLength: 1 })
    .chain((chosen) => fc.tuple(...chosen.map((key) => foreignValue(key).map((value): [string, unknown] => [key, value]))))
}

function withFields(body: Record<string, unknown>, fields: [string, unknown][]): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(body)) defineField(copy, key, body[key])
  for (const [key, value] of fields) defineField(copy, key, value)
  return copy
}

interface Case {
  valid: Record<string, unknown>
  foreign: [string, unknown][]
  /** Foreign fields for each item of operator_weights. */
  itemForeign: [string, unknown][][]
  path: Record<string, IdRef>
}

interface MassRoute {
  key: string
  method: 'POST' | 'PATCH'
  template: string
  case: fc.Arbitrary<Case>
  /** Makes a generated valid body valid for the state it meets (unique names, each operator once). */
  prepare?: (body: Record<string, unknown>, h: Harness, run: number) => Record<string, unknown>
}

const COMMON = ['id', 'created_at', 'updated_at', 'deleted_at', '__proto__', 'constructor']

function caseArb(valid: fc.Arbitrary<Record<string, unknown>>, foreign: string[], path: Record<string, fc.Arbitrary<IdRef>> = {}): fc.Arbitrary<Case> {
  return fc.record({ valid, foreign: foreignFields(foreign), itemForeign: fc.constant([]), path: fc.record(path) })
}

const weightItem = fc.record({ operator_id: existing('operator'), weight: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 1_000_000, noNaN: true })) })
const ITEM_FOREIGN = ['id', 'source_id', 'share', 'operator_name', 'created_at', '__proto__', 'constructor']

const ROUTES: MassRoute[] = [
  {
    key: 'POST /operators/',
    method: 'POST',
    template: '/operators/',
    case: caseArb(fc.record({ name: nonBlank, is_active: fc.boolean(), max_load: fc.integer({ min: 0, max: 20 }) }, { requiredKeys: ['name'] }), [...COMMON, 'current_load', 'operator_id']),
  },
  {
    key: 'PATCH /operators/{id}',
    method: 'PATCH',
    template: '/operators/{id}',
    case: caseArb(fc.record({ name: nonBlank, is_active: fc.boolean(), max_load: fc.integer({ min: 0, max: 20 }) }, { requiredKeys: [] }), [...COMMON, 'current_load', 'operator_id'], {
      id: existing('operator'),
    }),
  },
  {
    key: 'POST /sources/',
    method: 'POST',
    template: '/sources/',
    case: caseArb(fc.record({ name: nonBlank }), [...COMMON, 'source_id', 'operator_weights']),
    prepare: (body, _h, run) => ({ ...body, name: `${String(body.name)} #${run}` }),
  },
  {
    key: 'PATCH /sources/{id}',
    method: 'PATCH',
    template: '/sources/{id}',
    case: caseArb(
      fc.record({ name: nonBlank, assign_waiting: fc.boolean(), prefer_last_operator: fc.boolean() }, { requiredKeys: [] }),
      [...COMMON, 'source_id', 'operator_weights'],
      { id: existing('source') },
    ),
    prepare: (body, _h, run) => (typeof body.name === 'string' ? { ...body, name: `${body.name} #${run}` } : body),
  },
  {
    key: 'POST /contacts/{id}/assign',
    method: 'POST',
    template: '/contacts/{id}/assign',
    // Handing back to the queue always succeeds on an active contact; giving it to an operator depends on the state.
    case: caseArb(fc.record({ operator_id: fc.constant(null), force: fc.boolean() }, { requiredKeys: ['operator_id'] }), [...COMMON, 'status', 'source_id', 'lead_id', 'operator'], {
      id: existing('contact', ['active']),
    }),
  },
  {
    key: 'POST /sources/{id}/distribution',
    method: 'POST',
    template: '/sources/{id}/distribution',
    case: fc.record({
      valid: fc.record({ operator_weights: fc.array(weightItem, { maxLength: 4 }) }),
      foreign: foreignFields([...COMMON, 'source_id']),
      itemForeign: fc.array(fc.oneof(fc.constant<[string, unknown][]>([]), foreignFields(ITEM_FOREIGN)), { minLength: 4, maxLength: 4 }),
      path: fc.record({ id: existing('source') }),
    }),
    prepare: (body, h) => {
      // Generated refs may name one operator twice; a distribution names each once.
      const seen = new Set<number>()
      const items = (body.operator_weights as { operator_id: IdRef }[]).filter((item) => {
        const id = h.resolve(item.operator_id)
        if (seen.has(id)) return false
        seen.add(id)
        return true
      })
      return { ...body, operator_weights: items }
    },
  },
  {
    key: 'POST /contacts/',
    method: 'POST',
    template: '/contacts/',
    case: caseArb(
      fc.record(
        {
          external_id: fc.oneof(fc.constantFrom('lead-a', 'lead-b', 'lead-c'), nonBlank),
          source_id: existing('source'),
          phone: fc.oneof(fc.constantFrom('+79001234567', null), fc.string({ maxLength: 20 })),
          email: fc.oneof(email, fc.constant(null)),
        },
        { requiredKeys: ['external_id', 'source_id'] },
      ),
      [...COMMON, 'operator_id', 'lead_id', 'status', 'closed_at', 'current_load', 'operator', 'lead'],
    ),
  },
  {
    key: 'PATCH /contacts/{id}',
    method: 'PATCH',
    template: '/contacts/{id}',
    case: caseArb(fc.constant({ status: 'closed' }), [...COMMON, 'operator_id', 'lead_id', 'source_id', 'closed_at', 'operator', 'lead', 'source'], {
      id: existing('contact', ['active', 'active', 'active', 'closed']),
    }),
  },
]

/** What JSON.parse in the server refuses on purpose: a `__proto__` key, or a `constructor` holding a `prototype`. */
function refusedByJsonParser(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || value instanceof IdRef) return false
  if (Array.isArray(value)) return value.some(refusedByJsonParser)
  const record = value as Record<string, unknown>
  if (Object.prototype.hasOwnProperty.call(record, '__proto__')) return true
  const ctor: unknown = record.constructor
  if (Object.prototype.hasOwnProperty.call(record, 'constructor') && ctor !== null && typeof ctor === 'object' && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) {
    return true
  }
  return Object.keys(record).some((key) => refusedByJsonParser(record[key]))
}

// Times and what is measured in them (average_wait_seconds) differ between twins by the clock alone.
const isTimeKey = (key: string) => key.endsWith('_at') || key.endsWith('_seconds')

/** The state with every timestamp replaced by a marker (null stays null): what twins must agree on. */
function withoutTimes(value: unknown, key = ''): unknown {
  if (value instanceof Date) return '<time>'
  if (isTimeKey(key) && value !== null && value !== undefined) return '<time>'
  if (Array.isArray(value)) return value.map((item) => withoutTimes(item))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutTimes(v, k)]))
  }
  return value
}

/** Every timestamp in a value, as milliseconds. */
function timesIn(value: unknown, key = '', found: number[] = []): number[] {
  if (value instanceof Date) found.push(value.getTime())
  else if (isTimeKey(key) && typeof value === 'string') found.push(Date.parse(value))
  else if (Array.isArray(value)) value.forEach((item) => timesIn(item, '', found))
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) timesIn(v, k, found)
  return found
}

describe.each(ROUTES)('$key: fields the contract does not name', (route) => {
  let twin: [Harness, Harness]
  let run = 0

  beforeAll(async () => {
    twin = [await Harness.create(), await Harness.create()]
  }, 60_000)
  afterAll(async () => {
    await Promise.all(twin.map((h) => h.close()))
  })

  it(
    'are ignored: 2xx, and the answer and the whole state are those of the same request without them',
    async () => {
      await fc.assert(
        fc.asyncProperty(route.case, async (generated) => {
          const [a, b] = twin
          run += 1
          expect(withoutTimes(a.state), 'the twins differ before the request').toEqual(withoutTimes(b.state))

          const valid = route.prepare ? route.prepare(generated.valid, a, run) : generated.valid
          const items = (valid.operator_weights as Record<string, unknown>[] | undefined)?.map((item, index) => withFields(item, generated.itemForeign[index] ?? []))
          const foreignBody = withFields(items ? { ...valid, operator_weights: items } : valid, generated.foreign)
          const request = (body: unknown): GeneratedRequest => ({
            method: route.method,
            template: route.template,
            path: generated.path,
            query: { kind: 'pairs', pairs: [] },
            body: { kind: 'json', value: body },
            headers: {},
          })
          const withForeign = concretize(request(foreignBody), a.resolve)
          const plain = concretize(request(valid), a.resolve)

          const started = Date.now()
          const answer = await send(a.t.app, withForeign)
          const finished = Date.now()
          const where = describeExchange(withForeign, answer)
          const before: Snapshot = a.state
          a.state = await a.snapshot()

          if (refusedByJsonParser(foreignBody)) {
            expect([answer.status, (answer.json as { code?: string } | undefined)?.code], `a prototype key must be refused as a whole: ${where}`).toEqual([400, 'INVALID_JSON'])
            expect(a.state, `a refused body changed the state: ${where}`).toEqual(before)
            return
          }

          const control = await send(b.t.app, plain)
          b.state = await b.snapshot()
          expect(answer.status, `foreign fields must be ignored (2xx): ${where}`).toBeGreaterThanOrEqual(200)
          expect(answer.status, `foreign fields must be ignored (2xx): ${where}`).toBeLessThan(300)
          expect(answer.status, `status differs from the request without foreign fields (${describeExchange(plain, control)}): ${where}`).toBe(control.status)
          expect(withoutTimes(answer.json), `the answer differs from the one without foreign fields: ${where}`).toEqual(withoutTimes(control.json))
          expect(withoutTimes(a.state), `the state differs from the one without foreign fields: ${where}`).toEqual(withoutTimes(b.state))

          const known = new Set(timesIn(before))
          for (const time of [...timesIn(a.state), ...timesIn(answer.json)]) {
            if (known.has(time)) continue
            expect(time, `a timestamp not from the server's clock (${new Date(time).toISOString()}): ${where}`).toBeGreaterThanOrEqual(started - 1000)
            expect(time, `a timestamp not from the server's clock (${new Date(time).toISOString()}): ${where}`).toBeLessThanOrEqual(finished + 1000)
          }
        }),
        // No shrinking: after a failure the twins hold different rows, so replays would only report that.
        { numRuns: runs(RUNS), endOnFailure: true },
      )
    },
    TIMEOUT_MS,
  )
})
