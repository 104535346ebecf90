import { describe, expect, it } from 'vitest'
import { claimWeighted } from '../../src/distribution/assign-operator.js'
import type { Candidate } from '../../src/distribution/pick-operator.js'

const ivan: Candidate = { operator_id: 1, weight: 10 }
const petr: Candidate = { operator_id: 2, weight: 30 }

/** A claim that records every attempt and answers undefined (full) for the operators given. */
function claimWith(full: number[]) {
  const attempts: number[] = []
  const claim = (operatorId: number) => {
    attempts.push(operatorId)
    return Promise.resolve(full.includes(operatorId) ? undefined : { operatorId })
  }
  return { attempts, claim }
}

describe('claimWeighted', () => {
  it('claims once, the operator picked by the weights', async () => {
    const { attempts, claim } = claimWith([])
    // total 40: 0.5 * 40 = 20 falls in petr's [10, 40)
    expect(await claimWeighted([ivan, petr], () => 0.5, claim)).toEqual({ operatorId: petr.operator_id })
    expect(attempts).toEqual([petr.operator_id])
  })

  it('repeats the pick without an operator that filled up since the read (a lost race)', async () => {
    const { attempts, claim } = claimWith([petr.operator_id])
    expect(await claimWeighted([ivan, petr], () => 0.5, claim)).toEqual({ operatorId: ivan.operator_id })
    expect(attempts).toEqual([petr.operator_id, ivan.operator_id])
  })

  it('answers undefined when every candidate filled up, or there was none', async () => {
    const { attempts, claim } = claimWith([ivan.operator_id, petr.operator_id])
    expect(await claimWeighted([ivan, petr], () => 0.5, claim)).toBeUndefined()
    expect(attempts).toEqual([petr.operator_id, ivan.operator_id])
    expect(await claimWeighted([], () => 0.5, claim)).toBeUndefined()
  })

  it('tries the preferred candidate first, then falls back to the weighted pick without it', async () => {
    const first = claimWith([])
    expect(await claimWeighted([ivan, petr], () => 0.5, first.claim, ivan.operator_id)).toEqual({ operatorId: ivan.operator_id })
    expect(first.attempts).toEqual([ivan.operator_id])

    const full = claimWith([ivan.operator_id])
    expect(await claimWeighted([ivan, petr], () => 0.1, full.claim, ivan.operator_id)).toEqual({ operatorId: petr.operator_id })
    expect(full.attempts).toEqual([ivan.operator_id, petr.operator_id])
  })

  it('ignores a preferred operator who is not a candidate (inactive, full, no weight on the source)', async () => {
    const { attempts, claim } = claimWith([])
    expect(await claimWeighted([petr], () => 0.5, claim, ivan.operator_id)).toEqual({ operatorId: petr.operator_id })
    expect(attempts).toEqual([petr.operator_id])
  })
})
