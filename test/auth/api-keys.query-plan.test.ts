import { afterEach, describe, expect, it } from 'vitest'
import { createApiKey, findPrincipalByHash, hashApiKey, touchApiKey } from '../../src/auth/api-keys.service.js'
import type { Db } from '../../src/db/database.js'
import { recordingTestDb, tableScans } from '../helpers/query-plans.js'
import { TEST_BACKEND, type TestDatabase } from '../helpers/test-database.js'

let database: TestDatabase | undefined
let db: Db | undefined
afterEach(async () => {
  await db?.destroy()
  await database?.drop()
})

describe(`API key queries on the request path (${TEST_BACKEND})`, () => {
  it('the lookup by hash and the last_used_at write are served by an index', async () => {
    const recording = await recordingTestDb()
    ;({ db, database } = recording)
    const { queries } = recording
    const { key, apiKey } = await createApiKey(db, { name: 'bot', role: 'ingest' })

    queries.length = 0
    expect(await findPrincipalByHash(db, hashApiKey(key))).toMatchObject({ keyId: apiKey.id })
    await touchApiKey(db, apiKey.id)
    const requestPath = queries.splice(0)
    expect(requestPath).toHaveLength(2)
    for (const query of requestPath) expect(await tableScans(db, query), query.sql).toEqual([])
  })
})
