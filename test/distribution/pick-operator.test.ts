import { describe, expect, it } from 'vitest'
import { pickOperator, type Candidate } from '../../src/distribution/pick-operator.js'
import { seededRandom } from '../helpers/test-app.js'

const ivan: Candidate = { operator_id: 1, weight: 10 }
const petr: Candidate = { operator_id: 2, weight: 30 }

describe('pickOperator', () => {
  it('walks the cumulative weights with the random number', () => {
    // total 40: [0, 10) -> ivan, [10, 40) -> petr
    expect(pickOperator([ivan, petr], () => 0)).toBe(ivan)
    expect(pickOperator([ivan, petr], () => 0.2499)).toBe(ivan)
    expect(pickOperator([ivan, petr], () => 0.25)).toBe(petr)
    expect(pickOperator([ivan, petr], () => 0.9999999)).toBe(petr)
  })

  it('answers undefined when there is nobody to pick', () => {
    expect(pickOperator([], () => 0.5)).toBeUndefined()
    expect(pickOperator([{ operator_id: 3, weight: 0 }], () => 0.5)).toBeUndefined()
  })

  it('never picks a weight-0 candidate, whatever the random number', () => {
    const zero = { operator_id: 3, weight: 0 }
    for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.999999]) {
      expect(pickOperator([zero, ivan, zero, petr, zero], () => r)).not.toBe(zero)
    }
  })

  it('is reproducible with a seeded random source', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed)
      return Array.from({ length: 50 }, () => pickOperator([ivan, petr], random)?.operator_id)
    }
    expect(draw(42)).toEqual(draw(42))
    expect(draw(42)).not.toEqual(draw(43))
  })

  it('splits 10:30 weights 25%/75% within 3 sigma over 20,000 draws', () => {
    const draws = 20_000
    const random = seededRandom(2026)
    let ivanCount = 0
    for (let i = 0; i < draws; i++) if (pickOperator([ivan, petr], random) === ivan) ivanCount++
    const p = 0.25
    const sigma = Math.sqrt(draws * p * (1 - p))
    expect(Math.abs(ivanCount - draws * p)).toBeLessThan(3 * sigma)
  })

  it('splits three operators by weight within 3 sigma each', () => {
    const candidates = [
      { operator_id: 1, weight: 1 },
      { operator_id: 2, weight: 2 },
      { operator_id: 3, weight: 7 },
    ]
    const draws = 30_000
    const random = seededRandom(7)
    const counts = new Map<number, number>()
    for (let i = 0; i < draws; i++) {
      const id = pickOperator(candidates, random)!.operator_id
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    for (const { operator_id, weight } of candidates) {
      const p = weight / 10
      const sigma = Math.sqrt(draws * p * (1 - p))
      expect(Math.abs((counts.get(operator_id) ?? 0) - draws * p)).toBeLessThan(3 * sigma)
    }
  })

  it('handles fractional weights', () => {
    const a = { operator_id: 1, weight: 0.1 }
    const b = { operator_id: 2, weight: 0.2 }
    expect(pickOperator([a, b], () => 0.33)).toBe(a)
    expect(pickOperator([a, b], () => 0.34)).toBe(b)
  })
})
