import type { Db } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'

// Type aliases, not interfaces: preparedQuery takes its parameters as a record.
export type KeyRef = { scope: number; key: string }
type Claim = KeyRef & { requestHash: string; createdAt: string; expiredBefore: string }

/**
 * Inserts the key for this request, in the caller's transaction; answers false when a row for it exists (live or
 * expired). On PostgreSQL a concurrent insert of the same key waits here until the other transaction ends and
 * then answers false (it committed) or inserts (it rolled back).
 */
export async function insertKey(db: Db, p: Claim): Promise<boolean> {
  return (await insertKeyIfNew(db, p)).length > 0
}

const insertKeyIfNew = preparedQuery((db, p: Claim) =>
  db
    .insertInto('idempotency_keys')
    .values({ scope: p.scope, key: p.key, request_hash: p.requestHash, contact_id: null, response: null, created_at: p.createdAt })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .returning('scope'),
)

/**
 * Takes over the key's row if it expired, as a new claim; answers false when it is live (on PostgreSQL also
 * when a concurrent request took it over first: its new created_at no longer matches once it commits).
 */
export async function takeOverExpiredKey(db: Db, p: Claim): Promise<boolean> {
  return (await updateExpiredKey(db, p)).length > 0
}

const updateExpiredKey = preparedQuery((db, p: Claim) =>
  db
    .updateTable('idempotency_keys')
    .set({ request_hash: p.requestHash, contact_id: null, response: null, created_at: p.createdAt })
    .where('scope', '=', p.scope)
    .where('key', '=', p.key)
    .where('created_at', '<', p.expiredBefore)
    .returning('scope'),
)

/**
 * Counts one more key for the scope unless it holds `cap` already; answers false then. Run last in the
 * registration's transaction: on PostgreSQL the scope's row stays locked until the commit.
 */
export async function countNewKey(db: Db, p: { scope: number; cap: number }): Promise<boolean> {
  return (await incrementKeyCount(db, p)).length > 0
}

const incrementKeyCount = preparedQuery((db, p: { scope: number; cap: number }) =>
  db
    .insertInto('idempotency_key_quotas')
    .values({ scope: p.scope, key_count: 1 })
    .onConflict((oc) =>
      oc
        .column('scope')
        .doUpdateSet((eb) => ({ key_count: eb('idempotency_key_quotas.key_count', '+', 1) }))
        .where('idempotency_key_quotas.key_count', '<', p.cap),
    )
    .returning('key_count'),
)

const selectKey = preparedQuery((db, p: KeyRef) =>
  db.selectFrom('idempotency_keys').select(['request_hash', 'response', 'created_at']).where('scope', '=', p.scope).where('key', '=', p.key),
)

export async function findKey(
  db: Db,
  ref: KeyRef,
): Promise<{ request_hash: string; response: string | null; created_at: Date | string } | undefined> {
  return (await selectKey(db, ref))[0]
}

/** Records what the claimed key produced, in the transaction that produced it. */
export const completeKey = preparedQuery((db, p: KeyRef & { contactId: number; response: string }) =>
  db
    .updateTable('idempotency_keys')
    .set({ contact_id: p.contactId, response: p.response })
    .where('scope', '=', p.scope)
    .where('key', '=', p.key),
)

/**
 * Deletes the oldest keys created before the cutoff, about `limit` at a time (more only when creation times
 * tie), and takes them off their scopes' counts; answers how many it deleted. Both bounds are ranges of the
 * created_at index, so nothing is scanned.
 */
export async function deleteExpiredKeys(db: Db, expiredBefore: string, limit: number): Promise<number> {
  const deleted = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', expiredBefore)
    .where('created_at', '<=', (eb) =>
      eb.fn.coalesce(
        eb
          .selectFrom('idempotency_keys')
          .select('created_at')
          .where('created_at', '<', expiredBefore)
          .orderBy('created_at')
          .limit(1)
          .offset(limit - 1),
        eb.val(expiredBefore),
      ),
    )
    .returning('scope')
    .execute()
  const perScope = new Map<number, number>()
  for (const { scope } of deleted) perScope.set(scope, (perScope.get(scope) ?? 0) + 1)
  for (const [scope, count] of perScope) await decrementKeyCount(db, { scope, count })
  return deleted.length
}

/** Never below zero: rows written around the counts (by hand, or before the counts existed) cannot break them. */
const decrementKeyCount = preparedQuery((db, p: { scope: number; count: number }) =>
  db
    .updateTable('idempotency_key_quotas')
    .set((eb) => ({
      key_count: eb.case().when('key_count', '>', p.count).then(eb('key_count', '-', p.count)).else(0).end(),
    }))
    .where('scope', '=', p.scope),
)
