import { afterEach, describe, expect, it } from 'vitest'
import { fetchClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { tempDatabase } from '../helpers/run-process.js'
import { serverFleet } from '../helpers/server-process.js'

const fleet = serverFleet()
const { start, stop } = fleet

afterEach(() => fleet.afterEachTest())

/** Everything the API shows, to compare before and after a restart. */
async function snapshot(url: string) {
  const api = fetchClient(url)
  return {
    operators: await api.listAll('/operators/'),
    sources: await api.listAll('/sources/'),
    leads: await api.listAll('/leads/'),
    contacts: await api.listAll('/contacts/'),
    stats: await api.contactStats(),
    distribution: (await api.get('/stats/distribution')).body,
  }
}

describe('restarting the server on the same SQLite file', () => {
  it('keeps every row with the same ids and loads, and does not migrate again', async () => {
    const database = await tempDatabase('crm-restart-')
    fleet.onCleanup(database.cleanup)

    const first = await start(database.url)
    expect(first.logs.some((line) => line.includes('"database migrated"'))).toBe(true)
    const api = fetchClient(first.url)
    const source = await api.createSource()
    // Waiting contacts stay unassigned (the seed's behaviour), so the close below leaves one slot free.
    expect((await api.patch(`/sources/${source.id}`, { assign_waiting: false })).status).toBe(200)
    const busy = await api.createOperator({ max_load: 2 })
    const spare = await api.createOperator({ max_load: 5, is_active: false })
    await api.setWeights(source.id, [[busy.id, 3], [spare.id, 1]])
    const externalId = uniqueName('restart')
    const contacts = [
      await api.registerContact({ source_id: source.id, external_id: externalId, phone: '+79001112233' }),
      await api.registerContact({ source_id: source.id, external_id: externalId, email: 'lead@example.com' }),
      await api.registerContact({ source_id: source.id }),
      await api.registerContact({ source_id: source.id }),
    ]
    expect(contacts.map((c) => c.operator_id)).toEqual([busy.id, busy.id, null, null])
    expect((await api.patch(`/contacts/${contacts[0]!.id}`, { status: 'closed' })).status).toBe(200)
    const before = await snapshot(first.url)
    const weightsBefore = (await api.get(`/sources/${source.id}/distribution`)).body
    expect(weightsBefore.map((w: any) => [w.operator_id, w.weight]).sort()).toEqual([[busy.id, 3], [spare.id, 1]].sort())
    expect(before.operators.find((o) => o.id === busy.id).current_load).toBe(1)
    expect(before.contacts).toHaveLength(4)

    expect(await stop(first)).toBe(0)

    const second = await start(database.url)
    expect(second.logs.some((line) => line.includes('"database migrated"'))).toBe(false)
    const after = await snapshot(second.url)
    expect(after).toEqual(before)
    const again = fetchClient(second.url)
    expect(await again.getOperator(busy.id)).toMatchObject({ id: busy.id, max_load: 2, current_load: 1, is_active: true })
    expect((await again.get(`/sources/${source.id}/distribution`)).body).toEqual(weightsBefore)
    const lead = after.leads.find((l) => l.external_id === externalId)
    expect(lead).toMatchObject({ phone: '+79001112233', email: 'lead@example.com' })

    // The restored load is the real one: one slot is free, and only one.
    const next = [await again.registerContact({ source_id: source.id }), await again.registerContact({ source_id: source.id })]
    expect(next.map((c) => c.operator_id)).toEqual([busy.id, null])
    expect(next[0]!.id).toBeGreaterThan(Math.max(...contacts.map((c) => c.id)))
    expect((await again.getOperator(busy.id)).current_load).toBe(2)

    // A third start still finds everything, including what the second process wrote.
    expect(await stop(second)).toBe(0)
    const third = await start(database.url)
    expect(third.logs.some((line) => line.includes('"database migrated"'))).toBe(false)
    const last = fetchClient(third.url)
    expect(await last.listAll('/contacts/')).toHaveLength(6)
    expect((await last.getOperator(busy.id)).current_load).toBe(2)
  })
})
