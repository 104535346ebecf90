import { expect } from 'vitest'
import type { TestClient } from './api-client.js'
import { uniqueName } from './factories.js'
import { seededRandom } from './test-app.js'

// A churn of every kind of change that moves contacts, sent to several instances at once, and the invariants that
// must hold once it settles (plus one queue sweep): used against real processes on SQLite and on PostgreSQL.

export interface ChurnSetup {
  sources: number[]
  operators: number[]
  /** Each operator's limit; the churn only raises it (a lowered limit may leave an operator over it, by design). */
  maxLoads: Map<number, number>
}

/** Sources and operators to churn on; the capacity is far below the traffic, so the queue stays full. */
export async function arrangeChurn(client: TestClient): Promise<ChurnSetup> {
  const sources = [(await client.createSource()).id, (await client.createSource()).id, (await client.createSource()).id]
  const operators: number[] = []
  const maxLoads = new Map<number, number>()
  for (const max_load of [1, 2, 3, 2, 1, 4]) {
    const { id } = await client.createOperator({ max_load })
    operators.push(id)
    maxLoads.set(id, max_load)
  }
  await client.setWeights(sources[0]!, [[operators[0]!, 1], [operators[1]!, 2], [operators[2]!, 1]])
  await client.setWeights(sources[1]!, [[operators[2]!, 1], [operators[3]!, 3]])
  await client.setWeights(sources[2]!, [[operators[4]!, 1], [operators[5]!, 1], [operators[0]!, 1]])
  return { sources, operators, maxLoads }
}

/**
 * `rounds` rounds of `perRound` requests in flight together, spread over the clients: registrations, closes,
 * assigns, moves and unassigns, distribution changes, raised limits, operators switched off and on, requeues.
 * Answers the statuses seen; every request must be answered with a status the contract gives it.
 */
export async function runChurn(clients: TestClient[], setup: ChurnSetup, { seed, rounds, perRound }: { seed: number; rounds: number; perRound: number }) {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const statuses = new Map<string, number[]>()
  for (let round = 0; round < rounds; round++) {
    const raised = new Set<number>() // one raise per operator per round: two in flight could land in either order
    const active = (await clients[0]!.listAll<{ id: number; operator_id: number | null }>('/contacts/?status=active')).map((c) => c.id)
    const requests = Array.from({ length: perRound }, (_, i) => {
      const client = clients[(round + i) % clients.length]!
      const roll = random()
      if (roll < 0.45 || active.length === 0) {
        return ['register', () => client.post('/contacts/', { external_id: uniqueName(`churn-${Math.floor(random() * 40)}`), source_id: pick(setup.sources) })] as const
      }
      if (roll < 0.7) return ['close', () => client.patch(`/contacts/${pick(active)}`, { status: 'closed' })] as const
      if (roll < 0.82) {
        const operatorId = random() < 0.3 ? null : pick(setup.operators)
        return ['assign', () => client.post(`/contacts/${pick(active)}/assign`, { operator_id: operatorId })] as const
      }
      if (roll < 0.87) {
        const weights = setup.operators.filter(() => random() < 0.5).map((id) => [id, Math.ceil(random() * 5)] as [number, number])
        return ['distribution', () => client.post(`/sources/${pick(setup.sources)}/distribution`, { operator_weights: weights.map(([operator_id, weight]) => ({ operator_id, weight })) })] as const
      }
      const id = pick(setup.operators)
      if (roll < 0.92 && !raised.has(id)) {
        raised.add(id)
        const max_load = setup.maxLoads.get(id)! + 1
        setup.maxLoads.set(id, max_load)
        return ['raise', () => client.patch(`/operators/${id}`, { max_load, is_active: true })] as const
      }
      if (roll < 0.96) return ['deactivate', () => client.patch(`/operators/${id}`, { is_active: false })] as const
      return ['requeue', () => client.post(`/operators/${id}/requeue`, {})] as const
    })
    const answers = await Promise.all(requests.map(async ([kind, send]) => [kind, (await send()).status] as const))
    for (const [kind, status] of answers) statuses.set(kind, [...(statuses.get(kind) ?? []), status])
  }
  const allowed: Record<string, number[]> = {
    register: [201],
    close: [200],
    // A contact closed meanwhile (409 CONTACT_CLOSED) or an operator full or switched off (409).
    assign: [200, 409],
    distribution: [200],
    raise: [200],
    deactivate: [200],
    requeue: [200],
  }
  for (const [kind, seen] of statuses) {
    expect(seen.filter((status) => !allowed[kind]!.includes(status)), `${kind}: unexpected statuses`).toEqual([])
  }
  return statuses
}

/** Switches every operator on, so the settled state has room to check work conservation against. */
export async function switchAllOn(client: TestClient, setup: ChurnSetup): Promise<void> {
  for (const id of setup.operators) expect((await client.patch(`/operators/${id}`, { is_active: true })).status).toBe(200)
}

/**
 * Once settled: current_load is each operator's active contacts and within its limit (the churn never forces),
 * nobody waits while an operator who may take it has room, and the statistics' tallies equal the counts.
 */
export async function expectSettledInvariants(client: TestClient): Promise<void> {
  const contacts = await client.listAll<{ id: number; source_id: number; operator_id: number | null; status: string }>('/contacts/')
  const operators = await client.listAll<{ id: number; is_active: boolean; current_load: number; max_load: number }>('/operators/')
  const sources = await client.listAll<{ id: number; assign_waiting: boolean }>('/sources/')
  const active = contacts.filter((c) => c.status === 'active')

  for (const operator of operators) {
    const holding = active.filter((c) => c.operator_id === operator.id).length
    expect({ id: operator.id, load: operator.current_load }).toEqual({ id: operator.id, load: holding })
    expect(operator.current_load, `operator ${operator.id} over its limit`).toBeLessThanOrEqual(operator.max_load)
  }
  for (const source of sources.filter((s) => s.assign_waiting)) {
    const waiting = active.filter((c) => c.source_id === source.id && c.operator_id === null).length
    if (waiting === 0) continue
    const weights = (await client.get<{ operator_id: number; weight: number }[]>(`/sources/${source.id}/distribution`)).body
    const withRoom = weights.filter((w) => {
      const operator = operators.find((o) => o.id === w.operator_id)
      return w.weight > 0 && operator?.is_active && operator.current_load < operator.max_load
    })
    expect(withRoom.map((w) => w.operator_id), `source ${source.id}: ${waiting} contacts wait while these operators have room`).toEqual([])
  }
  const stats = await client.contactStats()
  const count = (list: typeof contacts) => ({
    total: list.length,
    active: list.filter((c) => c.status === 'active').length,
    unassigned: list.filter((c) => c.operator_id === null).length,
    waiting: list.filter((c) => c.status === 'active' && c.operator_id === null).length,
  })
  for (const row of stats.by_source) {
    const own = count(contacts.filter((c) => c.source_id === row.source_id))
    expect({ total: row.total, active: row.active, unassigned: row.unassigned, waiting: row.waiting }, `tallies of source ${row.source_id}`).toEqual(own)
  }
  for (const row of stats.by_operator) {
    const own = count(contacts.filter((c) => c.operator_id === row.operator_id))
    expect({ total: row.total, active: row.active }, `tallies of operator ${row.operator_id}`).toEqual({ total: own.total, active: own.active })
  }
}
