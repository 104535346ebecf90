import { requeueContact } from '../contacts/contact-moves.js'
import { findActiveContactsOfOperator } from '../contacts/contact-moves.repository.js'
import type { Db } from '../db/database.js'
import { nowIso } from '../db/values.js'
import { drainQueue } from './drain-queue.js'
import type { RandomSource } from './pick-operator.js'

/**
 * Hands every active contact of an operator who may no longer take them (made inactive or deleted first) back to
 * the queue, each in its original place, and gives them at once to operators of their sources who may take them.
 */
export async function handBackContacts(
  db: Db,
  operatorId: number,
  random: RandomSource,
  { actor, reason }: { actor: number | null; reason: 'operator_deleted' | 'operator_requeued' },
): Promise<void> {
  const held = await findActiveContactsOfOperator(db, operatorId)
  const now = nowIso()
  const perSource = new Map<number, number>()
  for (const contact of held) {
    await requeueContact(db, contact, { now, actor, reason })
    perSource.set(contact.source_id, (perSource.get(contact.source_id) ?? 0) + 1)
  }
  for (const [sourceId, count] of perSource) await drainQueue(db, random, { scope: { sourceId }, limit: count, actor })
}
