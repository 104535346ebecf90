import { isPostgres, type Db } from '../db/database.js'
import { inTransaction, retryTransient } from '../db/transaction.js'
import { nowIso } from '../db/values.js'
import { claimWeighted } from '../distribution/assign-operator.js'
import { drainQueue } from '../distribution/drain-queue.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { toPage } from '../http/schemas.js'
import { findOperatorEvenDeleted } from '../operators/operators.repository.js'
import { closeHeldContact, giveContact, requeueContact } from './contact-moves.js'
import { findContactForUpdate } from './contact-moves.repository.js'
import { fromView, toContact } from './contact-view.js'
import * as contacts from './contacts.repository.js'
import type { Contact, ContactAssign, ContactCreate, ContactQuery } from './contacts.schemas.js'
import { findSourceCandidates, insertRegistration } from './registration.repository.js'

/**
 * The hot path: finds or creates the lead, picks and claims an operator and stores the contact, so that a failure
 * leaves nothing behind and an acknowledged contact is committed. Inside a transaction it is a step of it. Alone,
 * SQLite runs it in a transaction; on PostgreSQL the writes are one statement, atomic on its own
 * (registration.postgres.ts), so a registration is two round trips without BEGIN and COMMIT, both on one
 * connection, as in a transaction, so a registration under way when the server starts closing still finishes.
 */
export async function registerContact(db: Db, input: ContactCreate, random: RandomSource, actor: number | null = null): Promise<Contact> {
  if (isPostgres(db) && !db.isTransaction) {
    return retryTransient(() => db.connection().execute((connection) => storeContact(connection, input, random, actor)))
  }
  return inTransaction(db, (trx) => storeContact(trx, input, random, actor))
}

async function storeContact(db: Db, input: ContactCreate, random: RandomSource, actor: number | null): Promise<Contact> {
  const externalId = input.external_id.trim()
  const found = await findSourceCandidates(db, input.source_id, externalId)
  if (!found) throw new NotFoundError('Source', input.source_id)
  const { source, candidates, preferred } = found
  const createdAt = nowIso()
  const registration = { externalId, phone: input.phone ?? null, email: input.email ?? null, sourceId: source.id, createdAt, actor }
  const store = (operatorId: number | null) =>
    insertRegistration(db, {
      ...registration,
      operatorId,
      assignedAt: operatorId === null ? null : createdAt,
      queuedAt: operatorId === null ? createdAt : null,
      reason: operatorId !== null && operatorId === preferred ? 'sticky' : 'registration',
    })
  const stored = (await claimWeighted(candidates, random, store, preferred)) ?? (await store(null))
  if (!stored) throw new Error('a waiting contact was not stored')
  return toContact({ ...stored, source })
}

export async function getContact(db: Db, id: number): Promise<Contact> {
  const row = await contacts.findContactView(db, id)
  if (!row) throw new NotFoundError('Contact', id)
  return fromView(row)
}

export async function listContacts(db: Db, query: ContactQuery): Promise<Contact[]> {
  return (await contacts.listContactViews(db, query, toPage(query))).map(fromView)
}

/** Closes the contact; the slot it frees goes at once to the oldest contact its operator may take. Closing twice changes nothing. */
export async function closeContact(db: Db, id: number, random: RandomSource, actor: number | null = null): Promise<Contact> {
  await inTransaction(db, async (trx) => {
    const contact = await findContactForUpdate(trx, id)
    if (!contact) throw new NotFoundError('Contact', id)
    if (contact.status === 'closed') return
    await closeHeldContact(trx, contact, { now: nowIso(), actor })
    if (contact.operator_id !== null) await drainQueue(trx, random, { scope: { operatorId: contact.operator_id }, limit: 1, actor })
  })
  return getContact(db, id)
}

/**
 * A supervisor gives the contact to an operator (no weight needed; `force` past its limit), moves it, or hands it
 * back to the queue (`operator_id: null`), where it goes to another operator who may take it, never straight back.
 * The slot freed on the way goes to the oldest waiting contact its operator may take.
 */
export async function assignContact(db: Db, id: number, input: ContactAssign, random: RandomSource, actor: number | null = null): Promise<Contact> {
  await inTransaction(db, async (trx) => {
    const contact = await findContactForUpdate(trx, id)
    if (!contact) throw new NotFoundError('Contact', id)
    if (contact.status === 'closed') throw new ConflictError('CONTACT_CLOSED', `Contact ${id} is closed`)
    const previous = contact.operator_id
    const target = input.operator_id
    if (target === previous) return
    if (target === null) {
      await requeueContact(trx, contact, { now: nowIso(), actor, reason: 'manual' })
      await drainQueue(trx, random, { scope: { sourceId: contact.source_id, excludeOperatorId: previous ?? undefined }, limit: 1, actor })
    } else {
      await giveToOperator(trx, contact, target, { force: input.force ?? false, actor })
    }
    if (previous !== null) await drainQueue(trx, random, { scope: { operatorId: previous, excludeContactIds: [id] }, limit: 1, actor })
  })
  return getContact(db, id)
}

async function giveToOperator(
  db: Db,
  contact: Parameters<typeof giveContact>[1],
  operatorId: number,
  { force, actor }: { force: boolean; actor: number | null },
): Promise<void> {
  if (await giveContact(db, contact, operatorId, { now: nowIso(), force, actor, reason: 'manual' })) return
  const operator = await findOperatorEvenDeleted(db, operatorId)
  if (!operator) throw new NotFoundError('Operator', operatorId)
  if (!operator.is_active || operator.deleted_at !== null) {
    throw new ConflictError('OPERATOR_UNAVAILABLE', `Operator ${operatorId} is ${operator.deleted_at === null ? 'inactive' : 'deleted'}`)
  }
  throw new ConflictError(
    'OPERATOR_AT_CAPACITY',
    `Operator ${operatorId} holds ${operator.current_load} of ${operator.max_load} contacts; send "force": true to assign past the limit`,
  )
}
