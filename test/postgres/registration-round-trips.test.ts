import type { CompiledQuery } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { registerContact } from '../../src/contacts/contacts.service.js'
import { registerContactOnce } from '../../src/contacts/idempotency.service.js'
import { insertRegistration } from '../../src/contacts/registration.repository.js'
import type { Db } from '../../src/db/database.js'
import { replaceDistribution } from '../../src/distribution/distribution.service.js'
import { NotFoundError } from '../../src/errors.js'
import { createOperator } from '../../src/operators/operators.service.js'
import { createSource } from '../../src/sources/sources.service.js'
import { recordingTestDb } from '../helpers/query-plans.js'
import type { TestDatabase } from '../helpers/test-database.js'

// Each statement is a round trip to PostgreSQL: a registration must stay at two (eight with BEGIN, one per table, COMMIT).
let db: Db
let database: TestDatabase
let queries: CompiledQuery[]
let sourceId: number
let operatorId: number

beforeEach(async () => {
  ;({ db, database, queries } = await recordingTestDb())
  sourceId = (await createSource(db, { name: 'Bot' })).id
  operatorId = (await createOperator(db, { name: 'Only', max_load: 1 })).id
  await replaceDistribution(db, sourceId, { operator_weights: [{ operator_id: operatorId, weight: 1 }] }, Math.random)
})

afterEach(async () => {
  await db.destroy()
  await database.drop()
})

/** The first word of each statement the work sent. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  queries.length = 0
  await work()
  return queries.map((q) => q.sql.split(' ')[0]?.toLowerCase() ?? '')
}

async function rowCounts() {
  const count = async (table: 'leads' | 'contacts' | 'contact_tallies' | 'events') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const { current_load } = await db.selectFrom('operators').select('current_load').where('id', '=', operatorId).executeTakeFirstOrThrow()
  return { leads: await count('leads'), contacts: await count('contacts'), tallies: await count('contact_tallies'), events: await count('events'), current_load }
}

describe('round trips of a registration on PostgreSQL', () => {
  it('a registration is two statements and no transaction: the source with its candidates, then every write', async () => {
    const register = (externalId: string) => registerContact(db, { external_id: externalId, source_id: sourceId }, Math.random)
    expect(await statementsOf(() => register('first'))).toEqual(['select', 'with'])
    // The operator is now full: the contact goes unassigned, in as many statements; a repeat lead too.
    expect(await statementsOf(() => register('second'))).toEqual(['select', 'with'])
    expect(await statementsOf(() => register('first'))).toEqual(['select', 'with'])
    expect(await rowCounts()).toEqual({ leads: 2, contacts: 3, tallies: 2, events: 3, current_load: 1 })
  })

  it('an unknown source is one read, a 404 that writes nothing', async () => {
    const before = await rowCounts()
    queries.length = 0
    await expect(registerContact(db, { external_id: 'lost', source_id: sourceId + 1000 }, Math.random)).rejects.toBeInstanceOf(NotFoundError)
    expect(queries.map((q) => q.sql.split(' ')[0])).toEqual(['select'])
    expect(await rowCounts()).toEqual(before)
  })

  it('with an Idempotency-Key, the key claim, its count and its answer join the two in one transaction', async () => {
    const once = () =>
      registerContactOnce(db, { external_id: 'keyed', source_id: sourceId }, Math.random, { ref: { scope: 0, key: 'k' }, ttlHours: 24 })
    expect(await statementsOf(once)).toEqual(['begin', 'insert', 'select', 'with', 'insert', 'update', 'commit'])
    expect(await statementsOf(once)).toEqual(['begin', 'insert', 'select', 'commit'])
  })

  it('a registration under way when the database starts closing still finishes, on the connection it holds', async () => {
    let closing: Promise<void> | undefined
    // Called between the read and the write, as a shutdown may start while a request is in flight.
    const closeThenPick = () => {
      closing ??= db.destroy()
      return 0.5
    }
    const contact = await registerContact(db, { external_id: 'in-flight', source_id: sourceId }, closeThenPick)
    await closing
    expect(contact.operator_id).toBe(operatorId)
  })

  it('the write statement stores nothing, not even the lead, when the operator filled up since the read', async () => {
    await registerContact(db, { external_id: 'fills-it', source_id: sourceId }, Math.random)
    const before = await rowCounts()
    const stored = await insertRegistration(db, {
      externalId: 'late',
      phone: '+1',
      email: null,
      sourceId,
      operatorId,
      createdAt: new Date().toISOString(),
      assignedAt: new Date().toISOString(),
      queuedAt: null,
      reason: 'registration',
      actor: null,
    })
    expect(stored).toBeUndefined()
    expect(await rowCounts()).toEqual(before)
  })
})
