import type { Insertable, Selectable, Updateable } from 'kysely'
import type { Db, OperatorsTable } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'
import type { Paging } from '../http/schemas.js'

export type OperatorRow = Selectable<OperatorsTable>

export async function insertOperator(db: Db, values: Insertable<OperatorsTable>): Promise<OperatorRow> {
  return db.insertInto('operators').values(values).returningAll().executeTakeFirstOrThrow()
}

export async function findOperatorById(db: Db, id: number): Promise<OperatorRow | undefined> {
  return db.selectFrom('operators').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
}

export async function findOperatorIds(db: Db, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('operators')
    .select('id')
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .execute()
  return rows.map((row) => row.id)
}

export async function listOperators(db: Db, { skip, limit }: Required<Paging>): Promise<OperatorRow[]> {
  return db
    .selectFrom('operators')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .offset(skip)
    .limit(limit)
    .execute()
}

export async function updateOperator(
  db: Db,
  id: number,
  changes: Updateable<OperatorsTable>,
): Promise<OperatorRow | undefined> {
  return db
    .updateTable('operators')
    .set(changes)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst()
}

/** Marks the operator deleted (its contacts handed back first); the row stays so closed contacts keep their history. */
export async function markOperatorDeleted(db: Db, id: number, at: string): Promise<boolean> {
  const row = await db
    .updateTable('operators')
    .set({ deleted_at: at, is_active: 0 })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/** Any operator by id, deleted ones too (a supervisor action tells "gone" from "unknown"). */
export async function findOperatorEvenDeleted(db: Db, id: number): Promise<OperatorRow | undefined> {
  return db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst()
}

/**
 * Takes one slot of the operator's limit, atomically; undefined when it is inactive, gone or full. `force` (a
 * supervisor's explicit choice) takes it past the limit.
 */
export async function takeOperatorSlot(db: Db, id: number, { force = false } = {}): Promise<OperatorRow | undefined> {
  return (await takeSlot(db, { id, force: force ? 1 : 0 }))[0]
}

const takeSlot = preparedQuery((db, p: { id: number; force: 0 | 1 }) =>
  db
    .updateTable('operators')
    .set((eb) => ({ current_load: eb('current_load', '+', 1) }))
    .where('id', '=', p.id)
    .where('is_active', '=', 1)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('current_load', '<', eb.ref('max_load')), eb(eb.val(p.force), '=', 1)]))
    .returningAll(),
)

export async function releaseOperatorSlot(db: Db, id: number): Promise<void> {
  await releaseSlot(db, { id })
}

const releaseSlot = preparedQuery((db, p: { id: number }) =>
  db
    .updateTable('operators')
    .set((eb) => ({ current_load: eb('current_load', '-', 1) }))
    .where('id', '=', p.id)
    .where('current_load', '>', 0),
)
