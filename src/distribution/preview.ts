import { countWaiting } from '../contacts/contact-tallies.repository.js'
import type { Db } from '../db/database.js'
import { NotFoundError } from '../errors.js'
import { findSourceById } from '../sources/sources.repository.js'
import type { DistributionPreview } from './distribution.schemas.js'
import { ineligibility } from './eligibility.js'
import { listWeights } from './weights.repository.js'

/** Who would get the source's next contact now, by the same rule as a registration; writes nothing. */
export async function previewDistribution(db: Db, sourceId: number): Promise<DistributionPreview> {
  if (!(await findSourceById(db, sourceId))) throw new NotFoundError('Source', sourceId)
  const [rows, waiting] = await Promise.all([listWeights(db, sourceId), countWaiting(db, sourceId)])
  const judged = rows.map((row) => ({ row, reason: ineligibility(row, row.weight) }))
  const eligibleWeight = judged.reduce((sum, { row, reason }) => (reason === null ? sum + row.weight : sum), 0)
  return {
    source_id: sourceId,
    waiting,
    operators: judged.map(({ row, reason }) => ({
      operator_id: row.operator_id,
      operator_name: row.operator_name,
      weight: row.weight,
      current_load: row.current_load,
      max_load: row.max_load,
      eligible: reason === null,
      reason,
      probability: reason === null ? row.weight / eligibleWeight : 0,
    })),
  }
}
