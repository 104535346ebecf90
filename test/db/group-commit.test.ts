import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { inTransaction } from '../../src/db/transaction.js'

let db: Db | undefined
afterEach(async () => {
  await db?.destroy()
  db = undefined
})

async function freshDb(): Promise<Db> {
  db = createDb({ kind: 'sqlite', filename: ':memory:' })
  await migrateToLatest(db)
  return db
}

const names = async (db: Db) => (await db.selectFrom('sources').select('name').orderBy('name').execute()).map((r) => r.name)
const insert = (trx: Db, name: string) => trx.insertInto('sources').values({ name, created_at: 'now' }).returning('id').executeTakeFirstOrThrow()

describe('SQLite group commit (inTransaction)', () => {
  it('commits concurrent transactions together, each answered with its own result', async () => {
    const statements: string[] = []
    db = createDb({ kind: 'sqlite', filename: ':memory:' }, { log: (e) => void statements.push(e.query.sql) })
    await migrateToLatest(db)
    statements.length = 0
    const wanted = Array.from({ length: 20 }, (_, i) => `s${String(i).padStart(2, '0')}`)

    const results = await Promise.all(wanted.map((name) => inTransaction(db!, (trx) => insert(trx, name))))

    expect(statements.filter((sql) => /^begin/i.test(sql))).toHaveLength(1)
    expect(statements.filter((sql) => sql === 'commit')).toHaveLength(1)
    // All twenty are stored, and each caller got the id of its own row.
    expect(await names(db)).toEqual(wanted)
    const stored = await db.selectFrom('sources').select(['id', 'name']).execute()
    expect(results.map((r) => stored.find((row) => row.id === r.id)?.name)).toEqual(wanted)
  })

  it('rolls back only the transaction that failed; the others in its batch commit', async () => {
    const db = await freshDb()
    const outcomes = await Promise.allSettled([
      inTransaction(db, (trx) => insert(trx, 'kept 1')),
      inTransaction(db, async (trx) => {
        await insert(trx, 'rolled back')
        throw new Error('rejected request')
      }),
      inTransaction(db, (trx) => insert(trx, 'kept 2')),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('rejected request'))
    expect(await names(db)).toEqual(['kept 1', 'kept 2'])
  })

  it('answers nobody before the commit: a failed commit rejects the whole batch and keeps nothing', async () => {
    const db = await freshDb()
    await sql`create table gate (n integer references sources(id) deferrable initially deferred)`.execute(db)
    const outcomes = await Promise.allSettled([
      inTransaction(db, (trx) => insert(trx, 'first')),
      // A deferred foreign key fails only at COMMIT, after every unit of the batch ran.
      inTransaction(db, (trx) => sql`insert into gate (n) values (999)`.execute(trx)),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected'])
    expect(await names(db)).toEqual([])
  })
})
