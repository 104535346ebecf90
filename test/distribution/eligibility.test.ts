import { describe, expect, it } from 'vitest'
import { ineligibility } from '../../src/distribution/eligibility.js'
import { findEligibleCandidates } from '../../src/distribution/weights.repository.js'
import { dbPerTest } from '../helpers/query-plans.js'

// The rule "may take a contact of this source now" exists twice: in SQL (registration, the queue drain) and in
// TypeScript (the preview's reasons). Every combination of the operator's state must get one answer from both.

const freshDb = dbPerTest()

describe('the eligibility rule', () => {
  it('SQL and TypeScript agree on every combination of activity, deletion, load and weight', async () => {
    const { db } = await freshDb()
    const now = new Date().toISOString()
    const source = await db.insertInto('sources').values({ name: 'Bot', created_at: now }).returning('id').executeTakeFirstOrThrow()
    const cases: { is_active: 0 | 1; deleted_at: string | null; current_load: number; max_load: number; weight: number }[] = []
    for (const is_active of [0, 1] as const) {
      for (const deleted_at of [null, now]) {
        for (const [current_load, max_load] of [[0, 0], [0, 1], [1, 1], [2, 1], [3, 5]]) {
          for (const weight of [0, 0.5, 3]) cases.push({ is_active, deleted_at, current_load: current_load!, max_load: max_load!, weight })
        }
      }
    }
    const ids: number[] = []
    for (const { weight, ...state } of cases) {
      const { id } = await db.insertInto('operators').values({ name: 'Op', created_at: now, ...state }).returning('id').executeTakeFirstOrThrow()
      await db.insertInto('source_operator_weights').values({ source_id: source.id, operator_id: id, weight }).execute()
      ids.push(id)
    }

    const bySql = new Set((await findEligibleCandidates(db, source.id)).map((c) => c.operator_id))
    const byTs = new Set(ids.filter((_, i) => ineligibility(cases[i]!, cases[i]!.weight) === null))

    expect([...bySql].sort((a, b) => a - b)).toEqual([...byTs].sort((a, b) => a - b))
    expect(byTs.size).toBeGreaterThan(0)
    expect(byTs.size).toBeLessThan(ids.length)
  })

  it('names why: inactive (or deleted) first, then zero weight, then capacity', () => {
    const operator = { is_active: true, deleted_at: null, current_load: 0, max_load: 1 }
    expect(ineligibility(operator, 1)).toBeNull()
    expect(ineligibility({ ...operator, is_active: false }, 0)).toBe('inactive')
    expect(ineligibility({ ...operator, deleted_at: 'yesterday' }, 1)).toBe('inactive')
    expect(ineligibility({ ...operator, current_load: 1 }, 0)).toBe('zero_weight')
    expect(ineligibility({ ...operator, current_load: 2 }, 1)).toBe('at_capacity')
  })
})
