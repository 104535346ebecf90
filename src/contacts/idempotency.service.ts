import { createHash } from 'node:crypto'
import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { InvalidFieldError } from '../errors.js'
import { IDEMPOTENCY_KEY_HEADER, type Contact, type ContactCreate } from './contacts.schemas.js'
import { registerContact } from './contacts.service.js'
import { claimKey, completeKey, deleteExpiredKeys, findKey, type KeyRef } from './idempotency-keys.repository.js'

export class IdempotencyKeyReusedError extends InvalidFieldError {
  override readonly code = 'IDEMPOTENCY_KEY_REUSED'

  constructor() {
    super(['header', IDEMPOTENCY_KEY_HEADER], 'This Idempotency-Key was already used with a different body', 'idempotency_key_reused')
  }
}

/** JSON with every object's keys sorted, so equal bodies give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

/** SHA-256 of the canonical JSON of the fields the contract names (others are ignored, as everywhere). */
export function hashRequest({ external_id, source_id, phone, email }: ContactCreate): string {
  return createHash('sha256').update(canonicalJson({ external_id, source_id, phone, email })).digest('hex')
}

function expiryCutoff(now: number, ttlHours: number): string {
  return new Date(now - ttlHours * 3_600_000).toISOString()
}

/**
 * Registers the contact once per key: the key is claimed first, in the registration's transaction, so of
 * concurrent requests with one key exactly one registers (PostgreSQL makes the others wait for its commit;
 * SQLite runs transactions one at a time) and the others answer what it stored. The first answer is stored
 * with the key and replayed as it was; a failed registration rolls the claim back with everything else.
 */
export async function registerContactOnce(
  db: Db,
  input: ContactCreate,
  random: RandomSource,
  { ref, ttlHours }: { ref: KeyRef; ttlHours: number },
): Promise<{ contact: Contact; replayed: boolean }> {
  const requestHash = hashRequest(input)
  return inTransaction(db, async (trx) => {
    const now = Date.now()
    const claim = { ...ref, requestHash, createdAt: new Date(now).toISOString(), expiredBefore: expiryCutoff(now, ttlHours) }
    if (await claimKey(trx, claim)) {
      const contact = await registerContact(trx, input, random)
      await completeKey(trx, { ...ref, contactId: contact.id, response: JSON.stringify(contact) })
      return { contact, replayed: false }
    }
    const stored = await findKey(trx, ref)
    if (stored?.response == null) throw new Error('a live idempotency key has no stored answer')
    if (stored.request_hash !== requestHash) throw new IdempotencyKeyReusedError()
    return { contact: withFieldsAddedSince(JSON.parse(stored.response) as Contact), replayed: true }
  })
}

/**
 * An answer stored before the waiting queue (migration 0005) lacks the fields added since; it is replayed with
 * them as they were then: assigned when registered, the source's settings at their defaults.
 */
function withFieldsAddedSince(stored: Contact): Contact {
  const assignedAt = (stored as Partial<Contact>).assigned_at
  return {
    ...stored,
    assigned_at: assignedAt !== undefined ? assignedAt : stored.operator_id === null ? null : stored.created_at,
    source: { ...{ assign_waiting: true, prefer_last_operator: false }, ...stored.source },
  }
}

const CLEANUP_BATCH = 1000

/** Deletes every expired key, in batches of short transactions so the write lock stays free for requests. */
export async function expiredKeyCleanup(db: Db, ttlHours: number, now = Date.now()): Promise<void> {
  const expiredBefore = expiryCutoff(now, ttlHours)
  let deleted = CLEANUP_BATCH
  while (deleted >= CLEANUP_BATCH) deleted = await inTransaction(db, (trx) => deleteExpiredKeys(trx, expiredBefore, CLEANUP_BATCH))
}
