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
  /** ADMIN_API_KEY: an admin key made sure to exist at start (containers); never echoed in messages. */
  readonly adminApiKey?: string
  /** AUTH_DISABLED: no API key asked anywhere, on any address. */
  readonly authDisabled: boolean
  readonly limits: LimitsConfig
  /** How long an Idempotency-Key of POST /contacts/ is remembered; an older one counts as new. */
  readonly idempotencyKeyTtlHours: number
  /** Live Idempotency-Keys one client (API key) may hold; a new one past it answers 429. 0: no cap. */
  readonly idempotencyKeysPerClient: number
  /** How often each instance gives out contacts that wait while someone may take them; 0 turns the sweep off. */
  readonly queueSweepIntervalMs: number
  /** Days events are kept (EVENT_RETENTION_DAYS); older ones are pruned in the background. */
  readonly eventRetentionDays: number
  /** Webhooks may target loopback, private and link-local addresses (WEBHOOK_ALLOW_PRIVATE_NETWORKS). */
  readonly webhookAllowPrivateNetworks: boolean
  /** How often each instance sends due webhook deliveries (WEBHOOK_DISPATCH_INTERVAL_MS); 0: never. */
  readonly webhookDispatchIntervalMs: number
}

export interface LimitsConfig {
  /** Requests per client (API key, or IP when the API is open) per window; 0 turns rate limiting off. */
  readonly rateLimitMax: number
  readonly rateLimitWindowMs: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  /** Failed authentications (a key presented and refused) per client address per window; 0 turns the limit off. */
  readonly authFailureMax: number
  readonly authFailureWindowMs: number
  /** Browser origins allowed by CORS; empty: no CORS headers at all. */
  readonly corsOrigins: readonly string[]
  /** Fastify's trustProxy: false, true (trust every proxy), or the addresses/CIDRs of the proxies. */
  readonly trustProxy: boolean | string[]
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
    ...readAdminApiKey(env.ADMIN_API_KEY, problems),
    authDisabled: read('AUTH_DISABLED', 'false', parseBoolean),
    limits: {
      rateLimitMax: read('RATE_LIMIT_MAX', '6000', integerIn(0, 10_000_000)),
      rateLimitWindowMs: read('RATE_LIMIT_WINDOW_MS', '60000', integerIn(1000, 86_400_000)),
      requestTimeoutMs: read('REQUEST_TIMEOUT_MS', '30000', integerIn(0, 3_600_000)),
      keepAliveTimeoutMs: read('KEEP_ALIVE_TIMEOUT_MS', '72000', integerIn(1000, 3_600_000)),
      authFailureMax: read('AUTH_FAILURE_MAX', '30', integerIn(0, 1_000_000)),
      authFailureWindowMs: read('AUTH_FAILURE_WINDOW_MS', '60000', integerIn(1000, 86_400_000)),
      corsOrigins: read('CORS_ORIGINS', '', parseOrigins),
      trustProxy: read('TRUST_PROXY', 'false', parseTrustProxy),
    },
    idempotencyKeyTtlHours: read('IDEMPOTENCY_KEY_TTL_HOURS', '24', positiveNumberUpTo(24 * 365)),
    idempotencyKeysPerClient: read('IDEMPOTENCY_KEYS_PER_CLIENT', '100000', integerIn(0, 1_000_000_000)),
    queueSweepIntervalMs: read('QUEUE_SWEEP_INTERVAL_MS', '10000', integerIn(0, 86_400_000)),
    eventRetentionDays: read('EVENT_RETENTION_DAYS', '90', integerIn(1, 36_500)),
    webhookAllowPrivateNetworks: read('WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'false', parseBoolean),
    webhookDispatchIntervalMs: read('WEBHOOK_DISPATCH_INTERVAL_MS', '1000', integerIn(0, 3_600_000)),
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze(config as Config)
}

/** A secret: a problem names the variable and the length, never the value. */
function readAdminApiKey(raw: string | undefined, problems: string[]): { adminApiKey?: string } {
  const key = raw?.trim() ?? ''
  if (key === '') return {}
  if (key.length < 32 || !/^[\x21-\x7e]+$/.test(key)) {
    problems.push(`ADMIN_API_KEY=<hidden, ${key.length} characters>: expected at least 32 printable ASCII characters without spaces`)
    return {}
  }
  return { adminApiKey: key }
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

function positiveNumberUpTo(max: number) {
  return (value: string): number => {
    const number = Number(value)
    if (!/^\d+(\.\d+)?$/.test(value) || number <= 0 || number > max) throw new Error(`expected a number above 0, at most ${max}`)
    return number
  }
}

function parseOrigins(value: string): string[] {
  const origins = value.split(',').map((o) => o.trim()).filter((o) => o !== '')
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`"${origin}" is not an origin such as https://crm.example.com`)
  }
  return origins
}

function parseTrustProxy(value: string): boolean | string[] {
  if (['true', 'false'].includes(value.toLowerCase())) return parseBoolean(value)
  return value.split(',').map((address) => address.trim())
}

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
