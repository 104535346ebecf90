import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { isPostgres, type Db } from '../db/database.js'

// On PostgreSQL an event's id is drawn from a sequence when the event is written, not when its transaction commits:
// event 11 can commit while event 10, written by another transaction, is still in flight. A consumer that saw 11
// would then ask for "after 11" and never see 10. So the feed serves events only up to a horizon below which every
// id has committed or never will: the sequence's value read at some moment, once every transaction that was running
// at that moment has ended.
//
// Why that holds: an event is always written after its transaction's first write (the contact's row), so the
// transaction has its xid before it draws an event id. After reading the sequence, a statement of its own takes a
// fresh xid (the fence): xids are handed out in order, so every transaction that drew an id up to the value read
// has an xid below the fence, and the oldest running xid (xmin) passing the fence means they have all ended. (A
// snapshot's xmax would not do: it is one past the highest *completed* xid, and a transaction with a higher xid
// may still be running.) On SQLite one transaction writes at a time, so ids follow commit order: no horizon.

/** How long a request waits for the transactions running now to end before it serves the last proven horizon. */
const HORIZON_WAIT_MS = 1000

const proven = new WeakMap<Db, number>()

/** The id up to which every event has committed or never will; undefined on SQLite, where every visible id is. */
export async function committedEventHorizon(db: Db): Promise<number | undefined> {
  if (!isPostgres(db)) return undefined
  const drawn = await sql<{ last: string | null }>`select pg_sequence_last_value(pg_get_serial_sequence('events', 'id')::regclass) as last`.execute(db)
  const last = Number(drawn.rows[0]?.last ?? 0)
  const fence = (await sql<{ xid: string }>`select pg_current_xact_id()::text as xid`.execute(db)).rows[0]?.xid ?? '0'
  const deadline = Date.now() + HORIZON_WAIT_MS
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    const ended = await sql<{ ended: boolean }>`select pg_snapshot_xmin(pg_current_snapshot()) > ${fence}::xid8 as ended`.execute(db)
    if (ended.rows[0]?.ended) break
    // A transaction left open somewhere on the server holds the horizon back: serve what was proven before.
    if (Date.now() >= deadline) return proven.get(db) ?? 0
    await sleep(pause)
  }
  const horizon = Math.max(last, proven.get(db) ?? 0)
  proven.set(db, horizon)
  return horizon
}
