import type { Db } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'

// Type aliases, not interfaces: preparedQuery takes its parameters as a record.
export type KeyRef = { scope: number; key: string }
type Claim = KeyRef & { requestHash: string; createdAt: string; expiredBefore: string }

/**
 * Claims the key for this request, in the caller's transaction: inserts it, or takes over a row that expired.
 * Answers false when the key is live; on PostgreSQL a concurrent claim of the same key waits here until the
 * other transaction ends and then answers false (it committed) or claims the key (it rolled back).
 */
export async function claimKey(db: Db, p: Claim): Promise<boolean> {
  return (await insertOrTakeOverKey(db, p)).length > 0
}

const insertOrTakeOverKey = preparedQuery(
  (db, p: Claim) =>
    db
      .insertInto('idempotency_keys')
      .values({ scope: p.scope, key: p.key, request_hash: p.requestHash, contact_id: null, response: null, created_at: p.createdAt })
      .onConflict((oc) =>
        oc
          .columns(['scope', 'key'])
          .doUpdateSet((eb) => ({
            request_hash: eb.ref('excluded.request_hash'),
            contact_id: null,
            response: null,
            created_at: eb.ref('excluded.created_at'),
          }))
          .where('idempotency_keys.created_at', '<', p.expiredBefore),
      )
      .returning('scope'),
)

const selectKey = preparedQuery((db, p: KeyRef) =>
  db.selectFrom('idempotency_keys').select(['request_hash', 'response']).where('scope', '=', p.scope).where('key', '=', p.key),
)

export async function findKey(db: Db, ref: KeyRef): Promise<{ request_hash: string; response: string | null } | undefined> {
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
 * tie); answers how many it deleted. Both bounds are ranges of the created_at index, so nothing is scanned.
 */
export async function deleteExpiredKeys(db: Db, expiredBefore: string, limit: number): Promise<number> {
  const result = await db
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
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
