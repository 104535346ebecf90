import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { registerContact } from '../../src/contacts/contacts.service.js'
import { insertRegistration, type NewRegistration } from '../../src/contacts/registration.repository.js'
import type { Db } from '../../src/db/database.js'
import { replaceDistribution } from '../../src/distribution/distribution.service.js'
import { createOperator } from '../../src/operators/operators.service.js'
import { createSource } from '../../src/sources/sources.service.js'
import { recordingTestDb } from '../helpers/query-plans.js'
import { TEST_BACKEND, type TestDatabase } from '../helpers/test-database.js'

// The writes of a registration on their own (test/postgres/registration-round-trips.test.ts has PostgreSQL's).
let db: Db
let database: TestDatabase
let sourceId: number
let operatorId: number

beforeEach(async () => {
  ;({ db, database } = await recordingTestDb())
  sourceId = (await createSource(db, { name: 'Bot' })).id
  operatorId = (await createOperator(db, { name: 'Only', max_load: 1 })).id
  await replaceDistribution(db, sourceId, { operator_weights: [{ operator_id: operatorId, weight: 1 }] }, Math.random)
})

afterEach(async () => {
  await db.destroy()
  await database.drop()
})

const registration = (fields: Partial<NewRegistration>): NewRegistration => ({
  externalId: 'lead',
  phone: null,
  email: null,
  sourceId,
  operatorId,
  createdAt: new Date().toISOString(),
  assignedAt: fields.operatorId === null ? null : new Date().toISOString(),
  queuedAt: fields.operatorId === null ? new Date().toISOString() : null,
  reason: 'registration',
  actor: null,
  ...fields,
})

async function rowCounts() {
  const count = async (table: 'leads' | 'contacts' | 'contact_tallies') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const { current_load } = await db.selectFrom('operators').select('current_load').where('id', '=', operatorId).executeTakeFirstOrThrow()
  return { leads: await count('leads'), contacts: await count('contacts'), tallies: await count('contact_tallies'), current_load }
}

describe(`insertRegistration (${TEST_BACKEND})`, () => {
  it('takes the slot, creates the lead, stores the contact and counts it, answering every row', async () => {
    const stored = await insertRegistration(db, registration({ externalId: 'new', phone: '+1' }))
    expect(stored?.operator).toMatchObject({ id: operatorId, current_load: 1, max_load: 1 })
    expect(stored?.lead).toMatchObject({ external_id: 'new', phone: '+1', email: null })
    expect(stored?.contact).toMatchObject({ lead_id: stored?.lead.id, source_id: sourceId, operator_id: operatorId, status: 'active' })
    expect(await rowCounts()).toEqual({ leads: 1, contacts: 1, tallies: 1, current_load: 1 })
  })

  it('unassigned, it fills in the repeat lead and claims no slot', async () => {
    await insertRegistration(db, registration({ externalId: 'repeat', phone: '+1', operatorId: null }))
    const stored = await insertRegistration(db, registration({ externalId: 'repeat', phone: '+2', email: 'r@example.com', operatorId: null }))
    expect(stored?.operator).toBeNull()
    expect(stored?.contact.operator_id).toBeNull()
    expect(stored?.lead).toMatchObject({ external_id: 'repeat', phone: '+1', email: 'r@example.com' })
    expect(await rowCounts()).toEqual({ leads: 1, contacts: 2, tallies: 1, current_load: 0 })
  })

  it('writes nothing, not even the lead, when the operator is full', async () => {
    await registerContact(db, { external_id: 'fills-it', source_id: sourceId }, Math.random)
    const before = await rowCounts()
    expect(await insertRegistration(db, registration({ externalId: 'late' }))).toBeUndefined()
    expect(await rowCounts()).toEqual(before)
  })
})
