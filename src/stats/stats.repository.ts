import type { Db } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'

// Statistics read these small tables whole on every request, so their queries are compiled once.

/** Every source by id; there are few, so statistics read them whole. */
export const listSourceNames = preparedQuery((db: Db) => db.selectFrom('sources').select(['id', 'name']).orderBy('id'))

/** Every operator, deleted ones too: their closed contacts still count. */
export const listOperatorSummaries = preparedQuery((db: Db) =>
  db.selectFrom('operators').select(['id', 'name', 'max_load', 'deleted_at']).orderBy('id'),
)
