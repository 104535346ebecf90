import type { BenchConnection } from './database.js'

/** count(*) and sum() come back as numbers from SQLite, as bigint strings from PostgreSQL. */
type Count = number | string

export interface Registrations {
  /** The highest contact id before the scenario: contacts above it are the scenario's. */
  sinceContactId: number
  /** POST /contacts/ answered 2xx: each one must be stored. */
  acknowledged: number
  /** Requests the load generator may have dropped in flight when it stopped: stored but never answered. */
  inFlightAtMost: number
  /** Check that nothing waits while someone may take it (not after a preloaded history, written behind the service's back). */
  workConserving: boolean
}

export interface InvariantReport {
  ok: boolean
  problems: string[]
  /** Contacts the scenario stored, and how many of them no operator took. */
  newContacts: number
  newUnassigned: number
}

export async function lastContactId(db: BenchConnection): Promise<number> {
  const [row] = await db.rows<{ id: number | null }>('select max(id) as id from contacts')
  return row?.id ?? 0
}

/**
 * Checks, in the database, what the service promises: every operator's current_load equals its active
 * contacts and stays within max_load; the running tallies equal the counts by (source, operator); every
 * acknowledged registration is stored. Counts whole tables — this is not the request path.
 */
export async function checkInvariants(db: BenchConnection, registrations: Registrations): Promise<InvariantReport> {
  const problems = [...(await checkOperatorLoads(db)), ...(await checkTallies(db))]
  if (registrations.workConserving) problems.push(...(await checkWorkConserving(db)))
  const [row] = await db.rows<{ stored: Count; unassigned: Count | null }>(`
    select count(*) as stored, sum(case when operator_id is null then 1 else 0 end) as unassigned
    from contacts where id > ${registrations.sinceContactId}`)
  const newContacts = Number(row?.stored ?? 0)
  const { acknowledged, inFlightAtMost } = registrations
  if (newContacts < acknowledged || newContacts > acknowledged + inFlightAtMost) {
    problems.push(`${acknowledged} registrations acknowledged (+ at most ${inFlightAtMost} in flight) but ${newContacts} contacts stored`)
  }
  return { ok: problems.length === 0, problems, newContacts, newUnassigned: Number(row?.unassigned ?? 0) }
}

async function checkOperatorLoads(db: BenchConnection): Promise<string[]> {
  const operators = await db.rows<{ id: number; current_load: number; max_load: number }>(
    'select id, current_load, max_load from operators order by id',
  )
  const counted = await db.rows<{ operator_id: number; active: Count }>(`
    select operator_id, count(*) as active from contacts
    where status = 'active' and operator_id is not null group by operator_id`)
  const activeOf = new Map(counted.map((row) => [row.operator_id, Number(row.active)]))
  const problems: string[] = []
  for (const { id, current_load, max_load } of operators) {
    const active = activeOf.get(id) ?? 0
    if (current_load !== active) problems.push(`operator ${id}: current_load ${current_load}, active contacts ${active}`)
    if (current_load > max_load) problems.push(`operator ${id}: current_load ${current_load} > max_load ${max_load}`)
  }
  return problems
}

async function checkTallies(db: BenchConnection): Promise<string[]> {
  type Tally = { source_id: number; operator_id: number; total: Count; active: Count | null }
  const stored = await db.rows<Tally>('select source_id, operator_id, total, active from contact_tallies')
  const counted = await db.rows<Tally>(`
    select source_id, coalesce(operator_id, 0) as operator_id, count(*) as total,
      sum(case when status = 'active' then 1 else 0 end) as active
    from contacts group by source_id, coalesce(operator_id, 0)`)
  const key = (row: Tally): string => `source ${row.source_id}, operator ${row.operator_id}`
  const figures = (row: Tally | undefined): string => `total ${Number(row?.total ?? 0)}, active ${Number(row?.active ?? 0)}`
  const storedByKey = new Map(stored.map((row) => [key(row), row]))
  const countedByKey = new Map(counted.map((row) => [key(row), row]))
  const problems: string[] = []
  for (const k of new Set([...storedByKey.keys(), ...countedByKey.keys()])) {
    const tally = figures(storedByKey.get(k))
    const count = figures(countedByKey.get(k))
    if (tally !== count) problems.push(`contact_tallies (${k}): ${tally}; counted ${count}`)
  }
  return problems
}

/** Once the load stops: no contact waits in a source that gives out its queue while an operator who may take it has room. */
async function checkWorkConserving(db: BenchConnection): Promise<string[]> {
  const rows = await db.rows<{ source_id: number; operator_id: number }>(`
    select distinct c.source_id, o.id as operator_id
    from contacts c
    join sources s on s.id = c.source_id
    join source_operator_weights w on w.source_id = c.source_id
    join operators o on o.id = w.operator_id
    where c.status = 'active' and c.operator_id is null and s.assign_waiting
      and w.weight > 0 and o.is_active and o.deleted_at is null and o.current_load < o.max_load`)
  return rows.map((row) => `source ${row.source_id}: contacts wait while operator ${row.operator_id} has room`)
}
