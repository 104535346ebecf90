import { parseArgs } from 'node:util'
import { countActiveApiKeys, createApiKey, listApiKeys, revokeApiKey } from './auth/api-keys.service.js'
import type { ApiKey, ApiKeyRole } from './auth/api-keys.schemas.js'
import { DEFAULT_AUTH_CACHE_TTL_MS } from './auth/authenticator.js'
import { ConfigError, loadConfig, readEnvFile } from './config.js'
import { createDb, type Db } from './db/database.js'
import { migrateToLatest } from './db/migrate.js'
import { AppError, InvalidFieldError } from './errors.js'

// `npm run keys -- <command>`: creates, lists and revokes API keys in the configured database.

const USAGE = `Usage:
  npm run keys -- create --role admin|viewer|ingest --name <name> [--sources 1,2]
  npm run keys -- list [--json]
  npm run keys -- revoke <id>`

const ROLES: readonly ApiKeyRole[] = ['admin', 'viewer', 'ingest']
const DELAY = `${DEFAULT_AUTH_CACHE_TTL_MS / 1000} seconds`

class UsageError extends Error {}

type Options = { role?: string; name?: string; sources?: string; json?: boolean }

async function create(db: Db, { role, name, sources }: Options): Promise<void> {
  if (!ROLES.includes(role as ApiKeyRole)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
  if (name === undefined) throw new UsageError('--name is required')
  const sourceIds = sources?.split(',').map((id) => {
    if (!/^\s*\d+\s*$/.test(id)) throw new UsageError('--sources takes source ids separated by commas, such as 1,2')
    return Number(id)
  })
  const { key, apiKey } = await createApiKey(db, { name, role: role as ApiKeyRole, source_ids: sourceIds ?? null })
  const scope = apiKey.source_ids === null ? '' : `, sources ${apiKey.source_ids.join(', ')}`
  console.log(`Created API key ${apiKey.id} "${apiKey.name}" (${apiKey.role}${scope}):\n\n    ${key}\n`)
  console.log('Store it now, in a secret store: it is shown only this once and cannot be recovered (only its hash is kept).')
  console.log(`Send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"; running servers accept it within ${DELAY}.`)
}

async function list(db: Db, { json }: Options): Promise<void> {
  const keys = await listApiKeys(db)
  if (json) {
    console.log(JSON.stringify(keys, null, 2))
    return
  }
  if (keys.length === 0) {
    console.log('No API keys yet. Create one with: npm run keys -- create --role admin --name ops')
    return
  }
  const header = ['id', 'name', 'role', 'sources', 'key', 'created', 'last used', 'revoked']
  const rows = keys.map((k: ApiKey) => [
    String(k.id), k.name, k.role, k.source_ids?.join(',') ?? 'any', `${k.key_prefix}…`, k.created_at, k.last_used_at ?? '-', k.revoked_at ?? '-',
  ])
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)))
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd())
  console.log(`\n${await countActiveApiKeys(db)} active; last used is recorded at most once a minute per key.`)
}

async function revoke(db: Db, id: string | undefined): Promise<void> {
  if (id === undefined || !/^\d+$/.test(id)) throw new UsageError('revoke takes the id of the key (see npm run keys -- list)')
  const { apiKey, alreadyRevoked } = await revokeApiKey(db, Number(id))
  if (alreadyRevoked) console.log(`API key ${apiKey.id} "${apiKey.name}" was already revoked at ${apiKey.revoked_at ?? ''}.`)
  else console.log(`Revoked API key ${apiKey.id} "${apiKey.name}"; running servers refuse it within ${DELAY}.`)
}

async function run(db: Db, command: string | undefined, args: string[], options: Options): Promise<void> {
  if (command === 'create' && args.length === 0) return create(db, options)
  if (command === 'list' && args.length === 0) return list(db, options)
  if (command === 'revoke' && args.length === 1) return revoke(db, args[0])
  throw new UsageError(command === undefined ? 'A command is required.' : `Unexpected command: ${[command, ...args].join(' ')}`)
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: { role: { type: 'string' }, name: { type: 'string' }, sources: { type: 'string' }, json: { type: 'boolean' } },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** Answers the exit code: 0 done, 1 failed, 2 bad usage. */
async function main(argv: string[]): Promise<number> {
  try {
    const { positionals: [command, ...args], values } = parseCommandLine(argv)
    const config = loadConfig({ ...readEnvFile('.env'), ...process.env })
    const db = createDb(config.database)
    try {
      await migrateToLatest(db)
      await run(db, command, args, values)
    } finally {
      await db.destroy()
    }
    return 0
  } catch (error) {
    if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`)
    else if (error instanceof ConfigError) console.error(error.message)
    else if (error instanceof InvalidFieldError) console.error(`Error: ${error.loc.join('.')}: ${error.message}`)
    else if (error instanceof AppError) console.error(`Error: ${error.message}`)
    else throw error
    return error instanceof UsageError ? 2 : 1
  }
}

process.exitCode = await main(process.argv.slice(2))
