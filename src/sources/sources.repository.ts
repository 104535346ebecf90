import type { Insertable, Selectable, Updateable } from 'kysely'
import type { Db, SourcesTable } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'
import type { Paging } from '../http/schemas.js'

export type SourceRow = Selectable<SourcesTable>

/** Inserts the source, or answers undefined when the name is taken (no exception, no aborted transaction). */
export async function insertSource(db: Db, values: Insertable<SourcesTable>): Promise<SourceRow | undefined> {
  return db
    .insertInto('sources')
    .values(values)
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst()
}

const selectSourceById = preparedQuery((db, p: { id: number }) => db.selectFrom('sources').selectAll().where('id', '=', p.id))

export async function findSourceById(db: Db, id: number): Promise<SourceRow | undefined> {
  return (await selectSourceById(db, { id }))[0]
}

export async function listSources(db: Db, { skip, limit }: Required<Paging>): Promise<SourceRow[]> {
  return db.selectFrom('sources').selectAll().orderBy('id').offset(skip).limit(limit).execute()
}

/**
 * Finds the source and locks its row until the transaction ends, so concurrent replacements of its
 * distribution queue up instead of colliding (PostgreSQL). SQLite write transactions already run one at a time.
 */
export async function lockSourceById(db: Db, id: number): Promise<SourceRow | undefined> {
  return db
    .updateTable('sources')
    .set((eb) => ({ name: eb.ref('name') }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}

export async function findSourceByName(db: Db, name: string): Promise<SourceRow | undefined> {
  return db.selectFrom('sources').selectAll().where('name', '=', name).executeTakeFirst()
}

export async function updateSource(db: Db, id: number, changes: Updateable<SourcesTable>): Promise<SourceRow> {
  if (Object.keys(changes).length === 0) return db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  return db.updateTable('sources').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}
