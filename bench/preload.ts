import type { Setup } from './configure.js'
import type { BenchConnection, DatabaseKind } from './database.js'
import { progressBar } from './progress.js'

export const HISTORY_LEAD_PREFIX = 'hist-'
const CONTACTS_PER_LEAD = 5
const LEAD_CHUNKS = 10
const CONTACT_CHUNKS = 50
const YEAR_SECONDS = 365 * 24 * 3600

export interface History {
  contacts: number
  leads: number
  seconds: number
}

/**
 * Stores a year of history, set-based: every row is generated inside the database by INSERT ... SELECT over a
 * counter (SQLite: a recursive CTE, PostgreSQL: generate_series), in chunks. Contacts are mostly closed, spread
 * over the operators and sources, about 5% unassigned. Then the running tallies and every operator's
 * current_load are recomputed from the contacts, so every invariant holds before the first request.
 */
export async function preloadHistory(db: BenchConnection, setup: Setup, contacts: number): Promise<History> {
  const started = performance.now()
  const leads = Math.ceil(contacts / CONTACTS_PER_LEAD)
  const leadChunks = chunks(leads, LEAD_CHUNKS)
  const contactChunks = chunks(contacts, CONTACT_CHUNKS)
  const progress = progressBar('preload', leadChunks.length + contactChunks.length + 2)
  const sql = new HistorySql(db.kind, setup, contacts, leads)

  for (const [from, to] of leadChunks) {
    await db.run(sql.insertLeads(from, to))
    progress.advance(`leads ${to + 1}/${leads}`)
  }
  for (const [from, to] of contactChunks) {
    await db.run(sql.insertContacts(from, to))
    progress.advance(`contacts ${to + 1}/${contacts}`)
  }
  await recomputeTallies(db)
  progress.advance('operators.current_load')
  await db.run(`update operators set current_load =
    coalesce((select sum(t.active) from contact_tallies t where t.operator_id = operators.id), 0)`)
  progress.advance(db.kind === 'postgres' ? 'vacuum analyze' : 'wal checkpoint')
  // A steady state: what autovacuum / a checkpoint would have done by the time a real database got this big.
  if (db.kind === 'postgres') await db.run('vacuum analyze leads, contacts, contact_tallies, operators')
  else await db.run('pragma wal_checkpoint(truncate)')
  const seconds = (performance.now() - started) / 1000
  progress.finish(`${contacts.toLocaleString('en')} contacts of ${leads.toLocaleString('en')} leads in ${seconds.toFixed(1)} s`)
  return { contacts, leads, seconds }
}

async function recomputeTallies(db: BenchConnection): Promise<void> {
  await db.run('delete from contact_tallies')
  await db.run(`insert into contact_tallies (source_id, operator_id, total, active)
    select source_id, coalesce(operator_id, 0), count(*), sum(case when status = 'active' then 1 else 0 end)
    from contacts group by source_id, coalesce(operator_id, 0)`)
}

/** [first, last] numbers of each chunk, 0-based and inclusive. */
function chunks(total: number, count: number): [number, number][] {
  const size = Math.ceil(total / Math.min(count, total))
  const result: [number, number][] = []
  for (let from = 0; from < total; from += size) result.push([from, Math.min(total, from + size) - 1])
  return result
}

/** The two dialects differ only in the counter and the timestamp; the rest is plain SQL. */
class HistorySql {
  private readonly start = Math.floor(Date.now() / 1000) - YEAR_SECONDS
  private readonly step: number

  constructor(
    private readonly kind: DatabaseKind,
    private readonly setup: Setup,
    contacts: number,
    private readonly leads: number,
  ) {
    this.step = Math.max(1, Math.floor(YEAR_SECONDS / contacts))
  }

  insertLeads(from: number, to: number): string {
    const { prefix, source } = this.counter(from, to)
    return `${prefix} insert into leads (external_id, phone, email, created_at)
      select '${HISTORY_LEAD_PREFIX}' || n, '+7900' || (1000000 + n),
        case when n % 3 = 0 then null else 'lead' || n || '@example.com' end,
        ${this.timestamp(`${this.start} + n * ${this.step}`)}
      from ${source}`
  }

  /** Contact n belongs to lead n % leads (about CONTACTS_PER_LEAD each); 5% unassigned, 2% still active. */
  insertContacts(from: number, to: number): string {
    const { prefix, source } = this.counter(from, to)
    const { operatorIds, sourceIds } = this.setup
    const active = '(n % 50 = 1 or n % 1000 = 0)'
    const created = `${this.start} + n * ${this.step}`
    return `${prefix} insert into contacts (lead_id, source_id, operator_id, status, created_at, closed_at)
      select leads.id,
        ${pick(sourceIds, `(n / 20) % ${sourceIds.length}`)},
        case when n % 20 = 0 then null else ${pick(operatorIds, `(n / 7) % ${operatorIds.length}`)} end,
        case when ${active} then 'active' else 'closed' end,
        ${this.timestamp(created)},
        case when ${active} then null else ${this.timestamp(`${created} + 600 + n % 3600`)} end
      from ${source} join leads on leads.external_id = '${HISTORY_LEAD_PREFIX}' || (n % ${this.leads})`
  }

  private counter(from: number, to: number): { prefix: string; source: string } {
    return this.kind === 'sqlite'
      ? {
          prefix: `with recursive counter(n) as (select ${from} union all select n + 1 from counter where n < ${to})`,
          source: 'counter',
        }
      : { prefix: '', source: `generate_series(${from}, ${to}) as counter(n)` }
  }

  /** The service's own formats: ISO-8601 text on SQLite, timestamptz on PostgreSQL. */
  private timestamp(epochSeconds: string): string {
    return this.kind === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%fZ', ${epochSeconds}, 'unixepoch')` : `to_timestamp(${epochSeconds})`
  }
}

/** SQL choosing ids[index] for an integer expression in [0, ids.length). */
function pick(ids: number[], index: string): string {
  return `case ${index} ${ids.map((id, i) => `when ${i} then ${id}`).join(' ')} end`
}
