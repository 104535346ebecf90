import { expect } from 'vitest'
import { expectEventsToReplay } from '../helpers/event-replay.js'
import type { Snapshot } from './harness.js'
import type { ConcreteRequest, SentResponse } from './request.js'

/** `{detail, code}` on every error: detail a list of field problems for 422, a message otherwise. */
export function checkResponseContract(request: ConcreteRequest, response: SentResponse, where: string): void {
  if (request.method === 'HEAD') return
  if (response.status >= 400) {
    expect(String(response.headers['content-type']), `error content-type: ${where}`).toMatch(/^application\/json/)
    const json = response.json
    expect(json !== null && typeof json === 'object' && !Array.isArray(json), `error body is not a JSON object: ${where}`).toBe(true)
    const body = json as Record<string, unknown>
    expect(Object.keys(body).sort(), `error body keys: ${where}`).toEqual(['code', 'detail'])
    expect(body.code, `error code: ${where}`).toMatch(/^[A-Z][A-Z0-9_]*$/)
    const detail = body.detail
    if (response.status === 422) {
      expect(Array.isArray(detail) && detail.length > 0, `422 detail must be a non-empty list: ${where}`).toBe(true)
      for (const problem of detail as any[]) {
        expect(Object.keys(problem).sort(), `422 problem keys: ${where}`).toEqual(['loc', 'msg', 'type'])
        expect(Array.isArray(problem.loc) && typeof problem.msg === 'string' && typeof problem.type === 'string', `422 problem: ${where}`).toBe(true)
      }
    } else {
      expect(typeof detail === 'string' && detail.length > 0, `detail must be a message: ${where}`).toBe(true)
    }
  } else if (response.status !== 204 && /^application\/json/.test(String(response.headers['content-type']))) {
    expect(response.json, `2xx body is not JSON: ${where}`).not.toBeUndefined()
  }
}

const countWhere = <T>(items: T[], test: (item: T) => boolean) => items.reduce((n, item) => n + (test(item) ? 1 : 0), 0)

/**
 * The invariants of the product contract, checked on what the API shows. `loweredBelowLoad`: operators over their
 * limit on purpose (a PATCH below the load, a forced assignment); `forcedPastLimit`: the operator this very request
 * assigned past its limit with `force: true`, the one way a load may grow past max_load.
 */
export function checkInvariants(
  before: Snapshot,
  after: Snapshot,
  loweredBelowLoad: ReadonlySet<number>,
  forcedPastLimit: number | undefined,
  where: string,
): void {
  const { operators, sources, contacts, leads, contactStats, distributionStats, distributions } = after
  const live = new Map(operators.map((o) => [o.id as number, o]))
  const active = contacts.filter((c) => c.status === 'active')

  for (const operator of operators) {
    const holding = countWhere(active, (c) => c.operator_id === operator.id)
    expect(operator.current_load, `operator ${operator.id}: current_load != its active contacts, after ${where}`).toBe(holding)
    if (!loweredBelowLoad.has(operator.id)) {
      expect(operator.current_load, `operator ${operator.id}: over max_load, after ${where}`).toBeLessThanOrEqual(operator.max_load)
    }
    const previous = before.operators.find((o) => o.id === operator.id)
    if (previous && operator.current_load > previous.current_load && operator.id !== forcedPastLimit) {
      expect(operator.current_load, `operator ${operator.id}: assigned past max_load, after ${where}`).toBeLessThanOrEqual(operator.max_load)
    }
  }
  const orphans = active.filter((c) => c.operator_id !== null && !live.has(c.operator_id))
  expect(orphans.map((c) => c.id), `active contacts held by a deleted operator, after ${where}`).toEqual([])

  const leadsById = new Map(leads.map((l) => [l.id as number, l]))
  const sourcesById = new Map(sources.map((s) => [s.id as number, s]))
  expect(new Set(leads.map((l) => l.external_id)).size, `duplicate leads, after ${where}`).toBe(leads.length)
  for (const contact of contacts) {
    expect(contact.lead, `contact ${contact.id}: lead, after ${where}`).toEqual(leadsById.get(contact.lead_id))
    expect(contact.source, `contact ${contact.id}: source, after ${where}`).toEqual(sourcesById.get(contact.source_id))
    expect(contact.operator?.id ?? null, `contact ${contact.id}: operator, after ${where}`).toBe(contact.operator_id)
    if (live.has(contact.operator_id)) expect(contact.operator, `contact ${contact.id}: operator, after ${where}`).toEqual(live.get(contact.operator_id))
    expect(contact.closed_at === null, `contact ${contact.id}: closed_at vs status, after ${where}`).toBe(contact.status === 'active')
  }

  const tally = (list: any[]) => ({
    total: list.length,
    active: countWhere(list, (c) => c.status === 'active'),
    unassigned: countWhere(list, (c) => c.operator_id === null),
    waiting: countWhere(list, (c) => c.status === 'active' && c.operator_id === null),
  })
  const all = tally(contacts)
  expect(
    {
      total: contactStats.total_contacts,
      active: contactStats.active_contacts,
      closed: contactStats.closed_contacts,
      unassigned: contactStats.unassigned_contacts,
      waiting: contactStats.waiting_contacts,
    },
    `/stats/contacts totals vs the contacts, after ${where}`,
  ).toEqual({ ...all, closed: all.total - all.active })
  const oldestWaiting = (sourceId: number) =>
    active
      .filter((c) => c.source_id === sourceId && c.operator_id === null)
      .map((c) => c.created_at as string)
      .sort()[0] ?? null
  expect(
    contactStats.by_source.map((row: any) => {
      const { assigned_from_queue, average_wait_seconds, ...counts } = row
      expect([assigned_from_queue, average_wait_seconds].every((n) => typeof n === 'number' && n >= 0), `queue statistics, after ${where}`).toBe(true)
      return counts
    }),
    `/stats/contacts by_source vs the contacts, after ${where}`,
  ).toEqual(
    sources.map((s) => ({
      source_id: s.id,
      source_name: s.name,
      ...tally(contacts.filter((c) => c.source_id === s.id)),
      oldest_waiting_at: oldestWaiting(s.id),
    })),
  )
  for (const row of contactStats.by_source) {
    const previous = before.contactStats.by_source?.find((r: any) => r.source_id === row.source_id)
    expect(row.assigned_from_queue, `assigned_from_queue went down, after ${where}`).toBeGreaterThanOrEqual(previous?.assigned_from_queue ?? 0)
    expect(row.average_wait_seconds, `average_wait_seconds, after ${where}`).toBeGreaterThanOrEqual(0)
  }

  const byOperator = new Map<number, any>(contactStats.by_operator.map((o: any) => [o.operator_id, o]))
  for (const operator of operators) {
    const own = tally(contacts.filter((c) => c.operator_id === operator.id))
    expect(byOperator.get(operator.id), `/stats/contacts by_operator ${operator.id}, after ${where}`).toEqual({
      operator_id: operator.id,
      operator_name: operator.name,
      deleted: false,
      total: own.total,
      active: own.active,
      max_load: operator.max_load,
    })
  }
  for (const entry of byOperator.values()) {
    const own = tally(contacts.filter((c) => c.operator_id === entry.operator_id))
    expect(entry.deleted, `/stats/contacts by_operator ${entry.operator_id}: deleted flag, after ${where}`).toBe(!live.has(entry.operator_id))
    expect([entry.total, entry.active], `/stats/contacts by_operator ${entry.operator_id}: counts, after ${where}`).toEqual([own.total, own.active])
    if (entry.deleted) expect(entry.total, `a deleted operator without contacts is listed, after ${where}`).toBeGreaterThan(0)
  }
  const heldBy = new Set(contacts.map((c) => c.operator_id).filter((id) => id !== null))
  for (const id of heldBy) expect(byOperator.has(id), `operator ${id} holds contacts but is missing from by_operator, after ${where}`).toBe(true)

  for (const source of sources) {
    const weights = distributions[source.id] ?? []
    const totalWeight = weights.reduce((n: number, w) => n + Number(w.weight), 0)
    for (const w of weights) {
      expect(live.has(w.operator_id), `source ${source.id} weighs a deleted or unknown operator ${w.operator_id}, after ${where}`).toBe(true)
      expect(w.operator_name, `distribution operator_name, after ${where}`).toBe(live.get(w.operator_id)?.name)
      expect(w.source_id).toBe(source.id)
      expect(w.share, `distribution share, after ${where}`).toBeCloseTo(totalWeight > 0 ? w.weight / totalWeight : 0, 9)
    }
    const own = contacts.filter((c) => c.source_id === source.id)
    const stats = distributionStats.find((d) => d.source_id === source.id)
    expect(stats && [stats.total_contacts, stats.assigned_contacts, stats.unassigned_contacts], `/stats/distribution source ${source.id}, after ${where}`).toEqual([
      own.length,
      countWhere(own, (c) => c.operator_id !== null),
      countWhere(own, (c) => c.operator_id === null),
    ])
    const expectedOperators = [...new Set([...weights.map((w) => w.operator_id as number), ...own.flatMap((c) => (c.operator_id === null ? [] : [c.operator_id as number]))])].sort((a, b) => a - b)
    expect(stats.operators.map((o: any) => o.operator_id), `/stats/distribution source ${source.id} operators, after ${where}`).toEqual(expectedOperators)
    for (const o of stats.operators) {
      expect(o.weight, `/stats/distribution weight, after ${where}`).toBe(weights.find((w) => w.operator_id === o.operator_id)?.weight ?? 0)
      expect(o.contacts, `/stats/distribution contacts of operator ${o.operator_id}, after ${where}`).toBe(countWhere(own, (c) => c.operator_id === o.operator_id))
    }
  }
  expect(distributionStats.map((d) => d.source_id), `/stats/distribution sources, after ${where}`).toEqual(sources.map((s) => s.id))
  expect(after.events.slice(0, before.events.length), `events changed or vanished, after ${where}`).toEqual(before.events)
  expectEventsToReplay(after.contacts, after.events, `after ${where}`)
}
