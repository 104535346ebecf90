import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { parseEnv } from 'node:util'

export interface PostgresPoolConfig {
  readonly poolSize: number
  readonly statementTimeoutMs: number
  readonly connectTimeoutMs: number
}

type SqliteConfig = { readonly kind: 'sqlite'; readonly filename: string }
type PostgresUrl = { readonly kind: 'postgres'; readonly connectionString: string }

export type DatabaseConfig = SqliteConfig | (PostgresUrl & PostgresPoolConfig)

export interface Config {
  readonly appName: string
  readonly appVersion: string
  readonly debug: boolean
  readonly apiPrefix: string
  readonly host: string
  readonly port: number
  readonly database: DatabaseConfig
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

/** The only reader of the environment: every setting is parsed and checked here, once, at start. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = []
  const read = <T>(name: string, fallback: string, parse: (value: string) => T): T | undefined => {
    const raw = env[name]
    const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim()
    try {
      return parse(value)
    } catch (error) {
      problems.push(`${name}=${JSON.stringify(raw)}: ${(error as Error).message}`)
      return undefined
    }
  }

  const database = read('DATABASE_URL', 'sqlite:///./crm.db', parseDatabaseUrl)
  const pool = {
    poolSize: read('DATABASE_POOL_SIZE', '10', integerIn(1, 1000)),
    statementTimeoutMs: read('DATABASE_STATEMENT_TIMEOUT_MS', '5000', integerIn(0, 3_600_000)),
    connectTimeoutMs: read('DATABASE_CONNECT_TIMEOUT_MS', '5000', integerIn(1, 600_000)),
  }
  const config = {
    appName: read('APP_NAME', 'Mini CRM', (v) => v),
    appVersion: read('APP_VERSION', '1.0.0', (v) => v),
    debug: read('DEBUG', 'false', parseBoolean),
    apiPrefix: read('API_V1_PREFIX', '', parsePrefix),
    host: read('HOST', '127.0.0.1', (v) => v),
    port: read('PORT', '8000', parsePort),
    database: database?.kind === 'postgres' ? { ...database, ...pool } : database,
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze(config as Config)
}

function parseBoolean(value: string): boolean {
  const normalized = value.toLowerCase()
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true
  if (['false', '0', 'no', 'off'].includes(normalized)) return false
  throw new Error('expected true or false')
}

function integerIn(min: number, max: number) {
  return (value: string): number => {
    const number = Number(value)
    if (!/^\d+$/.test(value) || number < min || number > max) throw new Error(`expected a whole number from ${min} to ${max}`)
    return number
  }
}

const parsePort = integerIn(0, 65535)

function parsePrefix(value: string): string {
  const prefix = value.replace(/\/+$/, '')
  if (prefix !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) {
    throw new Error('expected empty or a path such as /api/v1')
  }
  return prefix
}

/**
 * Accepts the seed's SQLAlchemy-style URLs: sqlite:///relative.db, sqlite:////absolute.db, sqlite:///:memory:,
 * and postgresql:// (also postgres:// and postgresql+driver://); SSL settings ride in the URL (?sslmode=require).
 */
export function parseDatabaseUrl(value: string): SqliteConfig | PostgresUrl {
  const sqlite = /^sqlite(?:\+\w+)?:\/\/\/(.+)$/.exec(value)
  if (sqlite?.[1] !== undefined) {
    const path = sqlite[1]
    if (path === ':memory:') return { kind: 'sqlite', filename: ':memory:' }
    return { kind: 'sqlite', filename: isAbsolute(path) ? path : resolve(path) }
  }
  const postgres = /^postgres(?:ql)?(?:\+\w+)?:\/\/(.+)$/.exec(value)
  if (postgres?.[1] !== undefined) return { kind: 'postgres', connectionString: `postgresql://${postgres[1]}` }
  throw new Error('expected sqlite:///path/to/file.db, sqlite:///:memory: or postgresql://user:pass@host:port/db')
}

/** Reads an optional .env file; the real environment wins over it. */
export function readEnvFile(path: string): Env {
  return existsSync(path) ? parseEnv(readFileSync(path, 'utf8')) : {}
}
