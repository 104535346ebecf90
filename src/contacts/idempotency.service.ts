import { createHash } from 'node:crypto'
import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import { toIso } from '../db/values.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { AppError, InvalidFieldError } from '../errors.js'
import { IDEMPOTENCY_KEY_HEADER, type Contact, type ContactCreate } from './contacts.schemas.js'
import { registerContact } from './contacts.service.js'
import { completeKey, countNewKey, deleteExpiredKeys, findKey, insertKey, takeOverExpiredKey, type KeyRef } from './idempotency-keys.repository.js'

export class IdempotencyKeyReusedError extends InvalidFieldError {
  override readonly code = 'IDEMPOTENCY_KEY_REUSED'

  constructor() {
    super(['header', IDEMPOTENCY_KEY_HEADER], 'This Idempotency-Key was already used with a different body', 'idempotency_key_reused')
  }
}

/** A new Idempotency-Key past the client's cap (IDEMPOTENCY_KEYS_PER_CLIENT): 429 until older keys expire. */
export class IdempotencyKeyLimitError extends AppError {
  constructor(cap: number) {
    super(
      429,
      'IDEMPOTENCY_KEY_LIMIT',
      `This client holds ${cap} live Idempotency-Keys, the most it may; new ones are accepted as older ones expire ` +
        '(a request without the header is registered as usual)',
    )
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

/**
 * SHA-256 of the canonical JSON of the fields the contract names (others are ignored, as everywhere). A null
 * phone or email means the same as an absent one (neither is stored), so both hash alike.
 */
export function hashRequest({ external_id, source_id, phone, email }: ContactCreate): string {
  return sha256(canonicalJson({ external_id, source_id, phone: phone ?? undefined, email: email ?? undefined }))
}

/** The hash as keys stored before nulls were ignored had it, so their retries still replay until they expire. */
function hashRequestKeepingNulls({ external_id, source_id, phone, email }: ContactCreate): string {
  return sha256(canonicalJson({ external_id, source_id, phone, email }))
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

function expiryCutoff(now: number, ttlHours: number): string {
  return new Date(now - ttlHours * 3_600_000).toISOString()
}

/** keysPerClient 0: no cap. The counts are kept all the same, so a cap set later starts from the truth. */
const NO_CAP = 2_147_483_647
/** A claim can lose to a concurrent takeover or cleanup of the same expired key (PostgreSQL); it then looks again. */
const CLAIM_ATTEMPTS = 3

/**
 * Registers the contact once per key: the key is claimed first, in the registration's transaction, so of
 * concurrent requests with one key exactly one registers (PostgreSQL makes the others wait for its commit;
 * SQLite runs transactions one at a time) and the others answer what it stored. The first answer is stored
 * with the key and replayed as it was; a failed registration rolls the claim back with everything else.
 * A new key counts against its client's `keysPerClient` (0: no cap); an expired key taken over, or a replay, does not.
 */
export async function registerContactOnce(
  db: Db,
  input: ContactCreate,
  random: RandomSource,
  { ref, ttlHours, keysPerClient = 0, actor = null }: { ref: KeyRef; ttlHours: number; keysPerClient?: number; actor?: number | null },
): Promise<{ contact: Contact; replayed: boolean }> {
  const requestHash = hashRequest(input)
  const cap = keysPerClient > 0 ? keysPerClient : NO_CAP
  return inTransaction(db, async (trx) => {
    const now = Date.now()
    const claim = { ...ref, requestHash, createdAt: new Date(now).toISOString(), expiredBefore: expiryCutoff(now, ttlHours) }
    const register = async (isNewKey: boolean) => {
      const contact = await registerContact(trx, input, random, actor)
      if (isNewKey && !(await countNewKey(trx, { scope: ref.scope, cap }))) throw new IdempotencyKeyLimitError(cap)
      await completeKey(trx, { ...ref, contactId: contact.id, response: JSON.stringify(contact) })
      return { contact, replayed: false }
    }
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      if (await insertKey(trx, claim)) return register(true)
      const stored = await findKey(trx, ref)
      if (stored && toIso(stored.created_at) >= claim.expiredBefore) {
        if (stored.response === null) throw new Error('a live idempotency key has no stored answer')
        if (stored.request_hash !== requestHash && stored.request_hash !== hashRequestKeepingNulls(input)) throw new IdempotencyKeyReusedError()
        return { contact: withFieldsAddedSince(JSON.parse(stored.response) as Contact), replayed: true }
      }
      if (stored && (await takeOverExpiredKey(trx, claim))) return register(false)
    }
    throw new Error('the idempotency key kept changing under the claim')
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
