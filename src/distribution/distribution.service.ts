import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import { InvalidFieldError, NotFoundError } from '../errors.js'
import { findOperatorIds } from '../operators/operators.repository.js'
import { findSourceById, lockSourceById } from '../sources/sources.repository.js'
import type { DistributionSet, OperatorWeight } from './distribution.schemas.js'
import { DRAIN_BATCH_LIMIT, drainQueue } from './drain-queue.js'
import type { RandomSource } from './pick-operator.js'
import { listWeights, replaceWeights, type WeightRow } from './weights.repository.js'

export function shareOf(weight: number, total: number): number {
  return total > 0 ? weight / total : 0
}

function toOperatorWeights(rows: WeightRow[]): OperatorWeight[] {
  const total = rows.reduce((sum, row) => sum + row.weight, 0)
  return rows.map(({ id, source_id, operator_id, operator_name, weight }) => ({
    id,
    source_id,
    operator_id,
    operator_name,
    weight,
    share: shareOf(weight, total),
  }))
}

export async function getDistribution(db: Db, sourceId: number): Promise<OperatorWeight[]> {
  if (!(await findSourceById(db, sourceId))) throw new NotFoundError('Source', sourceId)
  return toOperatorWeights(await listWeights(db, sourceId))
}

/**
 * Replaces the whole set in one transaction: a rejected set leaves the old one intact. Operators who may now take
 * the source's waiting contacts get them at once.
 */
export async function replaceDistribution(
  db: Db,
  sourceId: number,
  input: DistributionSet,
  random: RandomSource,
  actor: number | null = null,
): Promise<OperatorWeight[]> {
  const weights = input.operator_weights
  const seen = new Set<number>()
  weights.forEach(({ operator_id }, index) => {
    if (seen.has(operator_id)) {
      throw new InvalidFieldError(
        ['body', 'operator_weights', index, 'operator_id'],
        `operator ${operator_id} appears more than once`,
        'duplicate',
      )
    }
    seen.add(operator_id)
  })

  return inTransaction(db, async (trx) => {
    if (!(await lockSourceById(trx, sourceId))) throw new NotFoundError('Source', sourceId)
    const known = new Set(await findOperatorIds(trx, [...seen]))
    const unknown = weights.find((w) => !known.has(w.operator_id))
    if (unknown) throw new NotFoundError('Operator', unknown.operator_id)
    await replaceWeights(trx, sourceId, weights)
    await drainQueue(trx, random, { scope: { sourceId }, limit: DRAIN_BATCH_LIMIT, actor })
    return toOperatorWeights(await listWeights(trx, sourceId))
  })
}
