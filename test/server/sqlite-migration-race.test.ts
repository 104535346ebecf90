import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createDb } from '../../src/db/database.js'
import { migrations } from '../../src/db/migrations/index.js'
import { tempDatabase } from '../helpers/run-process.js'
import { PROJECT_ROOT, TSX_LOADER } from '../helpers/server-process.js'

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
})

/** `npm run db:migrate`'s entry point, as its own process; answers the exit code and the output. */
async function runMigrate(databaseUrl: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, 'src/migrate.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, output }
}

describe('several processes migrating one new SQLite file at once', () => {
  it('all succeed and the migration is applied exactly once', async () => {
    const database = await tempDatabase('crm-migrate-race-')
    cleanup = database.cleanup
    const runs = await Promise.all(Array.from({ length: 4 }, () => runMigrate(database.url)))
    expect(runs.map((r) => r.code), runs.map((r) => r.output).join('\n')).toEqual([0, 0, 0, 0])
    expect(runs.filter((r) => r.output.includes('Applied: 0001-initial-schema'))).toHaveLength(1)
    expect(runs.filter((r) => r.output.includes('Database is up to date'))).toHaveLength(3)

    const db = createDb(loadConfig({ DATABASE_URL: database.url }).database)
    try {
      const applied = await db.selectFrom('kysely_migration' as never).select('name' as never).execute()
      expect(applied).toEqual(Object.keys(migrations).map((name) => ({ name })))
    } finally {
      await db.destroy()
    }
  })
})
