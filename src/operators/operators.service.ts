import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import { nowIso, toFlag, toIso } from '../db/values.js'
import { drainQueue } from '../distribution/drain-queue.js'
import { handBackContacts } from '../distribution/hand-back.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { NotFoundError } from '../errors.js'
import type { Paging } from '../http/schemas.js'
import * as operators from './operators.repository.js'
import { DEFAULT_MAX_LOAD, type Operator, type OperatorCreate, type OperatorUpdate } from './operators.schemas.js'

export function toOperator(row: operators.OperatorRow): Operator {
  return {
    id: row.id,
    name: row.name,
    is_active: Boolean(row.is_active),
    max_load: row.max_load,
    current_load: row.current_load,
    created_at: toIso(row.created_at),
  }
}

export async function createOperator(db: Db, input: OperatorCreate): Promise<Operator> {
  const row = await operators.insertOperator(db, {
    name: input.name.trim(),
    is_active: toFlag(input.is_active ?? true),
    max_load: input.max_load ?? DEFAULT_MAX_LOAD,
    created_at: nowIso(),
  })
  return toOperator(row)
}

export async function getOperator(db: Db, id: number): Promise<Operator> {
  const row = await operators.findOperatorById(db, id)
  if (!row) throw new NotFoundError('Operator', id)
  return toOperator(row)
}

export async function listOperators(db: Db, paging: Required<Paging>): Promise<Operator[]> {
  return (await operators.listOperators(db, paging)).map(toOperator)
}

/**
 * Lowering max_load below current_load is allowed: the operator simply gets nothing new until under it. Switching
 * an operator on or raising its limit gives it at once the oldest waiting contacts it may take, up to its room.
 */
export async function updateOperator(db: Db, id: number, input: OperatorUpdate, random: RandomSource, actor: number | null = null): Promise<Operator> {
  if (input.name === undefined && input.is_active === undefined && input.max_load === undefined) return getOperator(db, id)
  await inTransaction(db, async (trx) => {
    const row = await operators.updateOperator(trx, id, {
      ...(input.name !== undefined && { name: input.name.trim() }),
      ...(input.is_active !== undefined && { is_active: toFlag(input.is_active) }),
      ...(input.max_load !== undefined && { max_load: input.max_load }),
    })
    if (!row) throw new NotFoundError('Operator', id)
    const room = row.max_load - row.current_load
    if (row.is_active && room > 0 && (input.is_active !== undefined || input.max_load !== undefined)) {
      await drainQueue(trx, random, { scope: { operatorId: id }, limit: room, actor })
    }
  })
  return getOperator(db, id)
}

/** End of a shift: the operator is switched off and its active contacts go back to the queue, redistributed at once. */
export async function requeueOperator(db: Db, id: number, random: RandomSource, actor: number | null = null): Promise<Operator> {
  await inTransaction(db, async (trx) => {
    if (!(await operators.updateOperator(trx, id, { is_active: 0 }))) throw new NotFoundError('Operator', id)
    await handBackContacts(trx, id, random, { actor, reason: 'operator_requeued' })
  })
  return getOperator(db, id)
}

/**
 * Deleting an operator removes its weights and hands its active contacts to other operators at once (or back to
 * the queue); closed contacts keep pointing at it, so history and statistics stay true.
 */
export async function deleteOperator(db: Db, id: number, random: RandomSource, actor: number | null = null): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (!(await operators.markOperatorDeleted(trx, id, nowIso()))) throw new NotFoundError('Operator', id)
    await trx.deleteFrom('source_operator_weights').where('operator_id', '=', id).execute()
    await handBackContacts(trx, id, random, { actor, reason: 'operator_deleted' })
  })
}
