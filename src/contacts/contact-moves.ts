import type { Db } from '../db/database.js'
import { insertEvent } from '../events/events.repository.js'
import type { EventReason, EventType } from '../events/events.schemas.js'
import { releaseOperatorSlot, takeOperatorSlot, type OperatorRow } from '../operators/operators.repository.js'
import { addToTallyAtCommit, UNASSIGNED } from './contact-tallies.repository.js'
import { markContactClosed, setContactOperator, setLeadLastOperator, type HeldContact } from './contact-moves.repository.js'

// The one way a stored contact changes hands: to an operator, back to the queue, or closed. Each keeps the
// operators' current_load and the tallies right and records its event, inside the caller's transaction
// (inTransaction); none opens one. A new contact is stored by the registration (registration.repository.ts), which
// keeps the same counts and writes its event in its own statements.

/** When a change happens and which API key caused it (null without one: the queue sweep, an open API). */
export interface Change {
  now: string
  actor: number | null
}

function secondsSince(from: Date | string | null, now: string): number {
  return from === null ? 0 : Math.max(0, (Date.parse(now) - new Date(from).getTime()) / 1000)
}

function recordEvent(db: Db, contact: HeldContact, type: EventType, reason: EventReason, operatorId: number | null, { now, actor }: Change) {
  return insertEvent(db, {
    type,
    reason,
    occurred_at: now,
    contact_id: contact.id,
    lead_id: contact.lead_id,
    source_id: contact.source_id,
    operator_id: operatorId,
    previous_operator_id: contact.operator_id,
    actor,
  })
}

/**
 * Gives an active contact to the operator: takes one of its slots (only while it is active, not deleted and under
 * its limit, unless `force`), frees the previous operator's slot and moves the tallies. Answers undefined,
 * having written nothing, when the slot could not be taken.
 */
export async function giveContact(
  db: Db,
  contact: HeldContact,
  operatorId: number,
  change: Change & { reason: 'queue' | 'manual'; force?: boolean },
): Promise<OperatorRow | undefined> {
  const { now, force = false } = change
  const operator = await takeOperatorSlot(db, operatorId, { force })
  if (!operator) return undefined
  await setContactOperator(db, { id: contact.id, operatorId, assignedAt: now, queuedAt: null })
  const previous = contact.operator_id
  if (previous !== null) await releaseOperatorSlot(db, previous)
  const fromQueue = previous === null ? { waitSeconds: secondsSince(contact.queued_at, now) } : undefined
  await addToTallyAtCommit(db, contact.source_id, previous ?? UNASSIGNED, { total: -1, active: -1, ...(fromQueue && { fromQueue }) })
  await addToTallyAtCommit(db, contact.source_id, operatorId, { total: 1, active: 1 })
  await setLeadLastOperator(db, contact.lead_id, operatorId)
  await recordEvent(db, contact, previous === null ? 'contact.assigned' : 'contact.reassigned', change.reason, operatorId, change)
  return operator
}

/** Hands an active contact back to the queue: it waits from now, in its original place (ordered by created_at). */
export async function requeueContact(
  db: Db,
  contact: HeldContact,
  change: Change & { reason: 'manual' | 'operator_deleted' | 'operator_requeued' },
): Promise<void> {
  const previous = contact.operator_id
  if (previous === null) return
  await setContactOperator(db, { id: contact.id, operatorId: null, assignedAt: null, queuedAt: change.now })
  await releaseOperatorSlot(db, previous)
  await addToTallyAtCommit(db, contact.source_id, previous, { total: -1, active: -1 })
  await addToTallyAtCommit(db, contact.source_id, UNASSIGNED, { total: 1, active: 1 })
  await recordEvent(db, contact, 'contact.unassigned', change.reason, null, change)
}

/** Closes an active contact and frees its operator's slot. */
export async function closeHeldContact(db: Db, contact: HeldContact, change: Change): Promise<void> {
  await markContactClosed(db, contact.id, change.now)
  if (contact.operator_id !== null) await releaseOperatorSlot(db, contact.operator_id)
  await addToTallyAtCommit(db, contact.source_id, contact.operator_id, { total: 0, active: -1 })
  await recordEvent(db, contact, 'contact.closed', 'closed', contact.operator_id, change)
}
