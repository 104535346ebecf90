import type { Db } from '../db/database.js'

/** Every source by id; there are few, so statistics read them whole. */
export async function listSourceNames(db: Db) {
  return db.selectFrom('sources').select(['id', 'name']).orderBy('id').execute()
}

/** Every operator, deleted ones too: their closed contacts still count. */
export async function listOperatorSummaries(db: Db) {
  return db.selectFrom('operators').select(['id', 'name', 'max_load', 'deleted_at']).orderBy('id').execute()
}
