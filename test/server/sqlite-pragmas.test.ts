import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'

let db: Db | undefined
let dir: string | undefined

afterEach(async () => {
  await db?.destroy()
  db = undefined
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

async function pragma(name: string): Promise<unknown> {
  const { rows } = await sql<Record<string, unknown>>`${sql.raw(`PRAGMA ${name}`)}`.execute(db!)
  // The answer is one row of one column (named after the pragma, except busy_timeout's "timeout").
  return Object.values(rows[0] ?? {})[0]
}

describe('SQLite connection settings', () => {
  it('a file database runs in WAL mode with foreign keys enforced', async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-pragmas-'))
    db = createDb({ kind: 'sqlite', filename: join(dir, 'crm.db') })

    expect(await pragma('journal_mode')).toBe('wal')
    expect(await pragma('foreign_keys')).toBe(1)
    expect(await pragma('synchronous')).toBe(2) // FULL: an acknowledged write survives a power cut
    expect(await pragma('busy_timeout')).toBeGreaterThan(0) // another process holding the lock is waited for

    // Enforced, not just reported: a contact pointing at no lead, source or operator is refused.
    await migrateToLatest(db)
    await expect(
      db
        .insertInto('contacts')
        .values({ lead_id: 999, source_id: 999, operator_id: 999, status: 'active', created_at: new Date().toISOString(), closed_at: null })
        .execute(),
    ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })
    expect(await db.selectFrom('contacts').select('id').execute()).toEqual([])
  })

  it('WAL mode persists in the file and is there again when it is reopened', async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-pragmas-'))
    const filename = join(dir, 'crm.db')
    db = createDb({ kind: 'sqlite', filename })
    await migrateToLatest(db)
    await db.destroy()

    db = createDb({ kind: 'sqlite', filename })
    expect(await pragma('journal_mode')).toBe('wal')
    expect(await pragma('foreign_keys')).toBe(1)
  })

  it('an in-memory database enforces foreign keys too', async () => {
    db = createDb({ kind: 'sqlite', filename: ':memory:' })
    expect(await pragma('foreign_keys')).toBe(1)
    expect(await pragma('journal_mode')).toBe('memory')
  })

  it('transactions take the write lock when they begin, so a second connection waits instead of failing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-pragmas-'))
    const filename = join(dir, 'crm.db')
    db = createDb({ kind: 'sqlite', filename })
    await migrateToLatest(db)
    const other = createDb({ kind: 'sqlite', filename })
    try {
      await sql`PRAGMA busy_timeout = 0`.execute(other)
      // While db's transaction is open (even before it writes), the other connection cannot write.
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom('operators').select('id').execute()
        await expect(
          other.insertInto('sources').values({ name: 'blocked', created_at: new Date().toISOString() }).execute(),
        ).rejects.toMatchObject({ code: 'SQLITE_BUSY' })
      })
      await other.insertInto('sources').values({ name: 'after', created_at: new Date().toISOString() }).execute()
      expect((await db.selectFrom('sources').select('name').execute()).map((r) => r.name)).toEqual(['after'])
    } finally {
      await other.destroy()
    }
  })
})
