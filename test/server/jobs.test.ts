import { afterEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

// Background work: the queue sweep gives out contacts that wait while room exists, which only a change on another
// instance can leave behind; here that change is written straight to the database, as another instance would.

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function roomFreedBehindTheAppsBack(sweepMs: string) {
  t = await createTestApp({ env: { QUEUE_SWEEP_INTERVAL_MS: sweepMs } })
  const api = apiClient(t.app)
  const operator = await api.createOperator({ max_load: 1 })
  const source = await api.createSource()
  await api.setWeights(source.id, [[operator.id, 1]])
  await api.registerContact({ source_id: source.id })
  const waiting = await api.registerContact({ source_id: source.id })
  expect(waiting.operator_id).toBeNull()
  // Another instance raised the limit; this one never saw the change.
  await t.db.updateTable('operators').set({ max_load: 2 }).where('id', '=', operator.id).execute()
  return { api, operator, waiting }
}

describe('the queue sweep', () => {
  it('gives a waiting contact to an operator who gained room elsewhere, within one interval', async () => {
    const { api, operator, waiting } = await roomFreedBehindTheAppsBack('50')
    await expect.poll(async () => (await api.get(`/contacts/${waiting.id}`)).body.operator_id, { timeout: 5000 }).toBe(operator.id)
    expect((await api.get(`/operators/${operator.id}`)).body.current_load).toBe(2)
  })

  it('is off with QUEUE_SWEEP_INTERVAL_MS=0', async () => {
    const { api, waiting } = await roomFreedBehindTheAppsBack('0')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await api.get(`/contacts/${waiting.id}`)).body.operator_id).toBeNull()
  })

  it('stops with the app: after close, no run starts', async () => {
    t = await createTestApp({ env: { QUEUE_SWEEP_INTERVAL_MS: '20' } })
    const api = apiClient(t.app)
    const operator = await api.createOperator({ max_load: 0 })
    const source = await api.createSource()
    await api.setWeights(source.id, [[operator.id, 1]])
    const waiting = await api.registerContact({ source_id: source.id })
    await new Promise((resolve) => setTimeout(resolve, 60)) // a few sweeps ran, with nothing to do

    await t.app.close()
    await t.db.updateTable('operators').set({ max_load: 1 }).where('id', '=', operator.id).execute()
    await new Promise((resolve) => setTimeout(resolve, 200))

    const stored = await t.db.selectFrom('contacts').select('operator_id').where('id', '=', waiting.id).executeTakeFirstOrThrow()
    expect(stored.operator_id).toBeNull()
  })
})
