import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import { nowIso, toFlag, toIso } from '../db/values.js'
import { DRAIN_BATCH_LIMIT, drainQueue } from '../distribution/drain-queue.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { ConflictError, NotFoundError } from '../errors.js'
import type { Paging } from '../http/schemas.js'
import * as sources from './sources.repository.js'
import type { Source, SourceCreate, SourceUpdate } from './sources.schemas.js'

export function toSource(row: sources.SourceRow): Source {
  return {
    id: row.id,
    name: row.name,
    created_at: toIso(row.created_at),
    assign_waiting: Boolean(row.assign_waiting),
    prefer_last_operator: Boolean(row.prefer_last_operator),
  }
}

const nameTaken = (name: string) => new ConflictError('SOURCE_NAME_TAKEN', `A source named "${name}" already exists`)

export async function createSource(db: Db, input: SourceCreate): Promise<Source> {
  const name = input.name.trim()
  const row = await sources.insertSource(db, {
    name,
    created_at: nowIso(),
    assign_waiting: toFlag(input.assign_waiting ?? true),
    prefer_last_operator: toFlag(input.prefer_last_operator ?? false),
  })
  if (!row) throw nameTaken(name)
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

/** Renames the source or changes its settings; switching assign_waiting on gives its waiting contacts out at once. */
export async function updateSource(db: Db, id: number, input: SourceUpdate, random: RandomSource, actor: number | null = null): Promise<Source> {
  const name = input.name?.trim()
  const row = await inTransaction(db, async (trx) => {
    const before = await sources.lockSourceById(trx, id)
    if (!before) throw new NotFoundError('Source', id)
    if (name !== undefined && name !== before.name && (await sources.findSourceByName(trx, name))) throw nameTaken(name)
    const after = await sources.updateSource(trx, id, {
      ...(name !== undefined && { name }),
      ...(input.assign_waiting !== undefined && { assign_waiting: toFlag(input.assign_waiting) }),
      ...(input.prefer_last_operator !== undefined && { prefer_last_operator: toFlag(input.prefer_last_operator) }),
    })
    if (after.assign_waiting && !before.assign_waiting) {
      await drainQueue(trx, random, { scope: { sourceId: id }, limit: DRAIN_BATCH_LIMIT, actor })
    }
    return after
  })
  return toSource(row)
}
