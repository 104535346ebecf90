import { listTallies, UNASSIGNED, type TallyRow } from '../contacts/contact-tallies.repository.js'
import type { Db } from '../db/database.js'
import { toIsoOrNull } from '../db/values.js'
import { listOldestWaiting } from '../distribution/queue.repository.js'
import { shareOf } from '../distribution/distribution.service.js'
import { listAllWeights } from '../distribution/weights.repository.js'
import type { ContactStats, SourceDistributionStats } from './stats.schemas.js'
import { listOperatorSummaries, listSourceNames } from './stats.repository.js'

/** Read from running tallies, so the cost depends on the number of sources and operators, not contacts. */
export async function getContactStats(db: Db): Promise<ContactStats> {
  const [tallies, sources, operators, oldest] = await Promise.all([
    listTallies(db),
    listSourceNames(db),
    listOperatorSummaries(db),
    listOldestWaiting(db),
  ])
  const oldestWaiting = new Map(oldest.map((row) => [row.source_id, toIsoOrNull(row.oldest)]))
  const sum = (rows: TallyRow[], key: 'total' | 'active') => rows.reduce((n, row) => n + row[key], 0)
  const unassigned = tallies.filter((t) => t.operator_id === UNASSIGNED)

  const bySource = sources.map((source) => {
    const rows = tallies.filter((t) => t.source_id === source.id)
    const queue = rows.find((t) => t.operator_id === UNASSIGNED)
    const fromQueue = queue?.assigned_from_queue ?? 0
    return {
      source_id: source.id,
      source_name: source.name,
      total: sum(rows, 'total'),
      active: sum(rows, 'active'),
      unassigned: queue?.total ?? 0,
      waiting: queue?.active ?? 0,
      oldest_waiting_at: oldestWaiting.get(source.id) ?? null,
      assigned_from_queue: fromQueue,
      average_wait_seconds: fromQueue > 0 ? (queue?.wait_seconds ?? 0) / fromQueue : 0,
    }
  })
  const byOperator = operators
    .map((operator) => {
      const rows = tallies.filter((t) => t.operator_id === operator.id)
      return {
        operator_id: operator.id,
        operator_name: operator.name,
        deleted: operator.deleted_at !== null,
        total: sum(rows, 'total'),
        active: sum(rows, 'active'),
        max_load: operator.max_load,
      }
    })
    .filter((row) => !row.deleted || row.total > 0)

  const total = sum(tallies, 'total')
  const active = sum(tallies, 'active')
  return {
    total_contacts: total,
    active_contacts: active,
    closed_contacts: total - active,
    unassigned_contacts: sum(unassigned, 'total'),
    waiting_contacts: sum(unassigned, 'active'),
    by_source: bySource,
    by_operator: byOperator,
  }
}

/** For each source: each operator's configured weight and expected share beside the share it actually got. */
export async function getDistributionStats(db: Db): Promise<SourceDistributionStats[]> {
  const [tallies, sources, operators, weights] = await Promise.all([
    listTallies(db),
    listSourceNames(db),
    listOperatorSummaries(db),
    listAllWeights(db),
  ])
  const operatorNames = new Map(operators.map((o) => [o.id, o.name]))

  return sources.map((source) => {
    const sourceWeights = weights.filter((w) => w.source_id === source.id)
    const sourceTallies = tallies.filter((t) => t.source_id === source.id)
    const totalWeight = sourceWeights.reduce((n, w) => n + w.weight, 0)
    const total = sourceTallies.reduce((n, t) => n + t.total, 0)
    const unassigned = sourceTallies.find((t) => t.operator_id === UNASSIGNED)?.total ?? 0
    const assigned = total - unassigned
    const operatorIds = new Set([
      ...sourceWeights.map((w) => w.operator_id),
      ...sourceTallies.filter((t) => t.operator_id !== UNASSIGNED && t.total > 0).map((t) => t.operator_id),
    ])
    return {
      source_id: source.id,
      source_name: source.name,
      total_contacts: total,
      assigned_contacts: assigned,
      unassigned_contacts: unassigned,
      operators: [...operatorIds].sort((a, b) => a - b).map((operatorId) => {
        const weight = sourceWeights.find((w) => w.operator_id === operatorId)?.weight ?? 0
        const contacts = sourceTallies.find((t) => t.operator_id === operatorId)?.total ?? 0
        return {
          operator_id: operatorId,
          operator_name: operatorNames.get(operatorId) ?? '',
          weight,
          expected_share: shareOf(weight, totalWeight),
          contacts,
          actual_share: shareOf(contacts, assigned),
        }
      }),
    }
  })
}
