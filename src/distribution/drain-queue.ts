import { giveContact } from '../contacts/contact-moves.js'
import type { Db } from '../db/database.js'
import { nowIso } from '../db/values.js'
import { claimWeighted } from './assign-operator.js'
import type { RandomSource } from './pick-operator.js'
import { lockQueueHead, type QueueScope } from './queue.repository.js'
import { findEligibleCandidates } from './weights.repository.js'

/** The most contacts one drain gives out: the rest waits for the next trigger or sweep. */
export const DRAIN_BATCH_LIMIT = 500
/** The most contacts one drain passes over because their operators filled up while it ran (other instances). */
const MAX_PASSED_OVER = 20

/**
 * Gives waiting contacts, oldest first, to operators in scope who may take them, by the weighted pick of a new
 * contact and its atomic claim, until `limit` are given or nobody in scope may take one. Runs in the caller's
 * transaction (it never opens one), so the change that freed the room and its effect commit together; `actor` is
 * the API key whose change freed the room (null for the sweep). Answers how many contacts it gave out.
 */
export async function drainQueue(
  db: Db,
  random: RandomSource,
  { scope = {}, limit, actor }: { scope?: QueueScope; limit: number; actor: number | null },
): Promise<number> {
  const passedOver: number[] = [...(scope.excludeContactIds ?? [])]
  let given = 0
  // Each round gives one contact or passes one over (its operators filled up since the read), so it ends.
  while (given < Math.min(limit, DRAIN_BATCH_LIMIT) && passedOver.length < MAX_PASSED_OVER) {
    const contact = await lockQueueHead(db, { ...scope, excludeContactIds: passedOver })
    if (!contact) break
    const candidates =
      scope.operatorId !== undefined
        ? [{ operator_id: scope.operatorId, weight: 1 }]
        : (await findEligibleCandidates(db, contact.source_id)).filter((c) => c.operator_id !== scope.excludeOperatorId)
    const now = nowIso()
    const operator = await claimWeighted(candidates, random, (operatorId) => giveContact(db, contact, operatorId, { now, actor, reason: 'queue' }))
    if (operator) given++
    else passedOver.push(contact.id)
  }
  return given
}
