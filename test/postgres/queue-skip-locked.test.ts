import { describe, expect, it } from 'vitest'
import { closeContact, getContact, registerContact } from '../../src/contacts/contacts.service.js'
import { replaceDistribution } from '../../src/distribution/distribution.service.js'
import { createOperator } from '../../src/operators/operators.service.js'
import { createSource } from '../../src/sources/sources.service.js'
import { dbPerTest } from '../helpers/query-plans.js'

// Two drains at once on PostgreSQL: the one that finds the head of the queue locked by the other neither waits for
// it nor gives up, but gives out the next waiting contact.

const freshDb = dbPerTest()

describe('concurrent drains on PostgreSQL', () => {
  it('a drain passes over a waiting contact another drain holds and takes the next, without waiting', async () => {
    const { db } = await freshDb()
    const source = await createSource(db, { name: 'Bot' })
    const a = await createOperator(db, { name: 'A', max_load: 1 })
    const b = await createOperator(db, { name: 'B', max_load: 1 })
    await replaceDistribution(db, source.id, { operator_weights: [{ operator_id: a.id, weight: 1 }, { operator_id: b.id, weight: 1 }] }, () => 0)
    const first = await registerContact(db, { external_id: 'first', source_id: source.id }, () => 0)
    const second = await registerContact(db, { external_id: 'second', source_id: source.id }, () => 0)
    const [w1, w2] = [
      await registerContact(db, { external_id: 'w1', source_id: source.id }, () => 0),
      await registerContact(db, { external_id: 'w2', source_id: source.id }, () => 0),
    ]
    expect([first.operator_id, second.operator_id, w1.operator_id, w2.operator_id]).toEqual([a.id, b.id, null, null])

    const held = await db.startTransaction().execute()
    // The first close gives w1 to A and holds it, uncommitted.
    await closeContact(held, first.id, () => 0)
    // The second close passes over w1 and gives w2 to B; only the running totals, written last, wait for the
    // first transaction's commit.
    const secondClose = closeContact(db, second.id, () => 0)
    await new Promise((resolve) => setTimeout(resolve, 300))
    await held.commit().execute()
    await secondClose

    expect((await getContact(db, w1.id)).operator_id).toBe(a.id)
    expect((await getContact(db, w2.id)).operator_id).toBe(b.id)
    const tallies = await db.selectFrom('contact_tallies').select(['operator_id', 'total', 'active', 'assigned_from_queue']).where('source_id', '=', source.id).orderBy('operator_id').execute()
    expect(tallies.map((t) => [t.operator_id, t.total, t.active, t.assigned_from_queue])).toEqual([
      [0, 0, 0, 2],
      [a.id, 2, 1, 0],
      [b.id, 2, 1, 0],
    ])
  })
})
