import type { Insertable, Selectable } from 'kysely'
import type { ApiKeysTable, Db } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'

export type ApiKeyRow = Selectable<ApiKeysTable>

/** Inserts the key, or answers undefined when a key with that hash exists (concurrent bootstraps). */
export async function insertApiKey(db: Db, values: Insertable<ApiKeysTable>): Promise<ApiKeyRow | undefined> {
  return db
    .insertInto('api_keys')
    .values(values)
    .onConflict((oc) => oc.column('key_hash').doNothing())
    .returningAll()
    .executeTakeFirst()
}

const selectKeyByHash = preparedQuery((db, p: { hash: string }) =>
  db.selectFrom('api_keys').select(['id', 'role', 'source_ids', 'key_hash', 'revoked_at']).where('key_hash', '=', p.hash),
)

/** The key with that hash, revoked or not: one lookup through the unique index, on every authenticated request. */
export async function findApiKeyByHash(db: Db, hash: string) {
  return (await selectKeyByHash(db, { hash }))[0]
}

export async function findApiKeyById(db: Db, id: number): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('id').execute()
}

const countUnrevoked = preparedQuery((db) =>
  db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number | string>().as('count')).where('revoked_at', 'is', null),
)

export async function countActiveApiKeys(db: Db): Promise<number> {
  return Number((await countUnrevoked(db, {}))[0]?.count ?? 0)
}

/** Revokes the key unless it already is; answers whether it did. */
export async function revokeApiKey(db: Db, id: number, revokedAt: string): Promise<boolean> {
  const result = await db.updateTable('api_keys').set({ revoked_at: revokedAt }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

const updateLastUsed = preparedQuery((db, p: { id: number; usedAt: string }) =>
  db.updateTable('api_keys').set({ last_used_at: p.usedAt }).where('id', '=', p.id),
)

export async function touchApiKey(db: Db, id: number, usedAt: string): Promise<void> {
  await updateLastUsed(db, { id, usedAt })
}
