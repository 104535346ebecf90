import { afterEach, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { inTransaction, TRANSACTION_ATTEMPTS } from '../../src/db/transaction.js'
import { ServiceUnavailableError } from '../../src/errors.js'

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

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' })
const sourceNames = async (db: Db) => (await db.selectFrom('sources').select('name').execute()).map((r) => r.name)

describe('inTransaction', () => {
  it('called inside a transaction, joins it: an outer rollback undoes the inner work, nothing is retried alone', async () => {
    const db = await freshDb()
    let innerRuns = 0
    const outer = inTransaction(db, async (trx) => {
      await inTransaction(trx, async (inner) => {
        innerRuns++
        expect(inner).toBe(trx)
        await inner.insertInto('sources').values({ name: 'inner', created_at: 'now' }).execute()
      })
      throw new Error('outer fails after the inner work')
    })
    await expect(outer).rejects.toThrow('outer fails')
    expect(innerRuns).toBe(1)
    expect(await sourceNames(db)).toEqual([])

    await inTransaction(db, (trx) => inTransaction(trx, (inner) => inner.insertInto('sources').values({ name: 'kept', created_at: 'now' }).execute()))
    expect(await sourceNames(db)).toEqual(['kept'])
  })

  it('retries the whole transaction after a transient error, rolling back the failed attempt', async () => {
    const db = await freshDb()
    let attempts = 0
    const result = await inTransaction(db, async (trx) => {
      attempts++
      await trx.insertInto('sources').values({ name: `attempt ${attempts}`, created_at: 'now' }).execute()
      if (attempts < 3) throw deadlock()
      return 'done'
    })
    expect(result).toBe('done')
    expect(attempts).toBe(3)
    expect(await sourceNames(db)).toEqual(['attempt 3'])
  })

  it('gives up after a bounded number of attempts with 503 DATABASE_BUSY', async () => {
    const db = await freshDb()
    let attempts = 0
    const failing = inTransaction(db, () => {
      attempts++
      return Promise.reject(deadlock())
    })
    await expect(failing).rejects.toBeInstanceOf(ServiceUnavailableError)
    await expect(failing).rejects.toMatchObject({ statusCode: 503, code: 'DATABASE_BUSY' })
    expect(attempts).toBe(TRANSACTION_ATTEMPTS)
  })

  it('does not retry other errors, and rolls back', async () => {
    const db = await freshDb()
    let attempts = 0
    const failing = inTransaction(db, async (trx) => {
      attempts++
      await trx.insertInto('sources').values({ name: 'kept?', created_at: 'now' }).execute()
      throw new Error('a bug')
    })
    await expect(failing).rejects.toThrow('a bug')
    expect(attempts).toBe(1)
    expect(await sourceNames(db)).toEqual([])
  })
})
