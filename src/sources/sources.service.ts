import type { Db } from '../db/database.js'
import { nowIso, toIso } from '../db/values.js'
import { ConflictError, NotFoundError } from '../errors.js'
import type { Paging } from '../http/schemas.js'
import * as sources from './sources.repository.js'
import type { Source, SourceCreate } from './sources.schemas.js'

export function toSource(row: sources.SourceRow): Source {
  return { id: row.id, name: row.name, created_at: toIso(row.created_at) }
}

export async function createSource(db: Db, input: SourceCreate): Promise<Source> {
  const name = input.name.trim()
  const row = await sources.insertSource(db, { name, created_at: nowIso() })
  if (!row) throw new ConflictError('SOURCE_NAME_TAKEN', `A source named "${name}" already exists`)
  return toSource(row)
}

export async function getSource(db: Db, id: number): Promise<Source> {
  const row = await sources.findSourceById(db, id)
  if (!row) throw new NotFoundError('Source', id)
  return toSource(row)
}

export async function listSources(db: Db, paging: Required<Paging>): Promise<Source[]> {
  return (await sources.listSources(db, paging)).map(toSource)
}
