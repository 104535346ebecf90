import { describe, expect, it } from 'vitest'
import { assignOperator } from '../../src/distribution/assign-operator.js'
import type { Candidate } from '../../src/distribution/pick-operator.js'

const ivan: Candidate = { operator_id: 1, weight: 10 }
const petr: Candidate = { operator_id: 2, weight: 30 }

/** A store that records every attempt and answers undefined (full) for the operators given. */
function storeWith(full: number[]) {
  const attempts: (number | null)[] = []
  const store = (operatorId: number | null) => {
    attempts.push(operatorId)
    return Promise.resolve(operatorId !== null && full.includes(operatorId) ? undefined : { operatorId })
  }
  return { attempts, store }
}

describe('assignOperator', () => {
  it('stores the contact once, with the operator picked by the weights', async () => {
    const { attempts, store } = storeWith([])
    // total 40: 0.5 * 40 = 20 falls in petr's [10, 40)
    expect(await assignOperator([ivan, petr], () => 0.5, store)).toEqual({ operatorId: petr.operator_id })
    expect(attempts).toEqual([petr.operator_id])
  })

  it('repeats the pick without an operator that filled up since the read (a lost race), storing once', async () => {
    const { attempts, store } = storeWith([petr.operator_id])
    expect(await assignOperator([ivan, petr], () => 0.5, store)).toEqual({ operatorId: ivan.operator_id })
    expect(attempts).toEqual([petr.operator_id, ivan.operator_id])
  })

  it('stores the contact unassigned when every candidate filled up, or there was none', async () => {
    const { attempts, store } = storeWith([ivan.operator_id, petr.operator_id])
    expect(await assignOperator([ivan, petr], () => 0.5, store)).toEqual({ operatorId: null })
    expect(attempts).toEqual([petr.operator_id, ivan.operator_id, null])

    const none = storeWith([])
    expect(await assignOperator([], () => 0.5, none.store)).toEqual({ operatorId: null })
    expect(none.attempts).toEqual([null])
  })

  it('fails loudly rather than loop when an unassigned contact is not stored', async () => {
    await expect(assignOperator([ivan], () => 0.5, () => Promise.resolve(undefined))).rejects.toThrow(/not stored/)
  })
})
