import { afterEach, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { preparedQuery } from '../../src/db/prepared-query.js'

let db: Db | undefined
afterEach(async () => {
  await db?.destroy()
  db = undefined
})

describe('preparedQuery', () => {
  it('compiles once and runs with each call’s own values, keeping constants', async () => {
    db = createDb({ kind: 'sqlite', filename: ':memory:' })
    await migrateToLatest(db)
    let builds = 0
    const insertSource = preparedQuery((db, p: { name: string; created_at: string }) => {
      builds++
      return db.insertInto('sources').values({ name: p.name, created_at: p.created_at }).returningAll()
    })
    const namesLike = preparedQuery((db, p: { prefix: string }) =>
      db.selectFrom('sources').select('name').where('name', 'like', p.prefix).where('id', '>', 0).orderBy('id'),
    )

    const [first] = await insertSource(db, { name: 'Alpha', created_at: '2026-01-01T00:00:00.000Z' })
    const [second] = await insertSource(db, { name: 'Beta', created_at: '2026-01-02T00:00:00.000Z' })
    expect(first).toMatchObject({ name: 'Alpha', created_at: '2026-01-01T00:00:00.000Z' })
    expect(second).toMatchObject({ name: 'Beta', created_at: '2026-01-02T00:00:00.000Z' })
    expect(second!.id).toBe(first!.id + 1)
    expect(builds).toBe(1)
    expect(await namesLike(db, { prefix: 'B%' })).toEqual([{ name: 'Beta' }])
    expect(await namesLike(db, { prefix: '%a' })).toEqual([{ name: 'Alpha' }, { name: 'Beta' }])
  })

  it('runs inside a transaction, which rolls it back with the rest', async () => {
    db = createDb({ kind: 'sqlite', filename: ':memory:' })
    await migrateToLatest(db)
    const insertSource = preparedQuery((db, p: { name: string }) =>
      db.insertInto('sources').values({ name: p.name, created_at: 'now' }).returning('id'),
    )
    await expect(
      db.transaction().execute(async (trx) => {
        await insertSource(trx, { name: 'Gone' })
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect(await db.selectFrom('sources').selectAll().execute()).toEqual([])
  })
})
