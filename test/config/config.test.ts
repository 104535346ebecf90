import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, parseDatabaseUrl, readEnvFile } from '../../src/config.js'

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({})
    expect(config).toEqual({
      appName: 'Mini CRM',
      appVersion: '1.0.0',
      debug: false,
      apiPrefix: '',
      host: '127.0.0.1',
      port: 8000,
      database: { kind: 'sqlite', filename: resolve('crm.db') },
      authDisabled: false,
      limits: {
        rateLimitMax: 6000,
        rateLimitWindowMs: 60000,
        requestTimeoutMs: 30000,
        keepAliveTimeoutMs: 72000,
        authFailureMax: 30,
        authFailureWindowMs: 60000,
        corsOrigins: [],
        trustProxy: false,
      },
      idempotencyKeyTtlHours: 24,
      idempotencyKeysPerClient: 100000,
      queueSweepIntervalMs: 10000,
      eventRetentionDays: 90,
      webhookAllowPrivateNetworks: false,
      webhookDispatchIntervalMs: 1000,
    })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads the queue sweep interval; 0 turns the sweep off, anything but a whole number stops start-up', () => {
    expect(loadConfig({ QUEUE_SWEEP_INTERVAL_MS: '250' }).queueSweepIntervalMs).toBe(250)
    expect(loadConfig({ QUEUE_SWEEP_INTERVAL_MS: '0' }).queueSweepIntervalMs).toBe(0)
    for (const bad of ['-1', '1.5', 'often']) expect(() => loadConfig({ QUEUE_SWEEP_INTERVAL_MS: bad }), bad).toThrow(/QUEUE_SWEEP_INTERVAL_MS/)
  })

  it('reads the event retention in whole days, at least one', () => {
    expect(loadConfig({ EVENT_RETENTION_DAYS: '7' }).eventRetentionDays).toBe(7)
    for (const bad of ['0', '-1', '1.5', 'forever']) expect(() => loadConfig({ EVENT_RETENTION_DAYS: bad }), bad).toThrow(/EVENT_RETENTION_DAYS/)
  })

  it('reads every variable', () => {
    const config = loadConfig({
      APP_NAME: 'CRM',
      APP_VERSION: '2.0.0',
      DEBUG: 'True',
      API_V1_PREFIX: '/api/v1/',
      HOST: '0.0.0.0',
      PORT: '9000',
      DATABASE_URL: 'sqlite:///:memory:',
    })
    expect(config).toMatchObject({
      appName: 'CRM',
      appVersion: '2.0.0',
      debug: true,
      apiPrefix: '/api/v1',
      host: '0.0.0.0',
      port: 9000,
      database: { kind: 'sqlite', filename: ':memory:' },
    })
  })

  it('reads the abuse limits', () => {
    const { limits } = loadConfig({
      RATE_LIMIT_MAX: '0',
      RATE_LIMIT_WINDOW_MS: '1000',
      REQUEST_TIMEOUT_MS: '5000',
      KEEP_ALIVE_TIMEOUT_MS: '61000',
      AUTH_FAILURE_MAX: '0',
      AUTH_FAILURE_WINDOW_MS: '5000',
      CORS_ORIGINS: 'https://crm.example.com, http://localhost:5173',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
    })
    expect(limits).toEqual({
      rateLimitMax: 0,
      rateLimitWindowMs: 1000,
      requestTimeoutMs: 5000,
      keepAliveTimeoutMs: 61000,
      authFailureMax: 0,
      authFailureWindowMs: 5000,
      corsOrigins: ['https://crm.example.com', 'http://localhost:5173'],
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
    })
    expect(loadConfig({ TRUST_PROXY: 'true' }).limits.trustProxy).toBe(true)
    expect(() => loadConfig({ CORS_ORIGINS: 'crm.example.com' })).toThrow(/CORS_ORIGINS/)
    expect(() => loadConfig({ RATE_LIMIT_MAX: '-5' })).toThrow(/RATE_LIMIT_MAX/)
    expect(() => loadConfig({ AUTH_FAILURE_WINDOW_MS: '10' })).toThrow(/AUTH_FAILURE_WINDOW_MS/)
  })

  it('accepts the seed-style DEBUG=False', () => {
    expect(loadConfig({ DEBUG: 'False' }).debug).toBe(false)
  })

  it('lists every bad value, naming the variable', () => {
    let error: unknown
    try {
      loadConfig({ PORT: 'abc', DEBUG: 'maybe', DATABASE_URL: 'mysql://x/y', API_V1_PREFIX: 'api v1' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems).toHaveLength(4)
    for (const name of ['PORT', 'DEBUG', 'DATABASE_URL', 'API_V1_PREFIX']) {
      expect(problems.some((p) => p.startsWith(`${name}=`))).toBe(true)
    }
  })

  it('rejects ports out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/)
    expect(() => loadConfig({ PORT: '-1' })).toThrow(/PORT/)
  })
})

describe('parseDatabaseUrl', () => {
  it('understands the SQLAlchemy-style SQLite URLs', () => {
    expect(parseDatabaseUrl('sqlite:///./crm.db')).toEqual({ kind: 'sqlite', filename: resolve('crm.db') })
    expect(parseDatabaseUrl('sqlite:///data/x.db')).toEqual({ kind: 'sqlite', filename: resolve('data/x.db') })
    expect(parseDatabaseUrl('sqlite:////var/lib/crm.db')).toEqual({ kind: 'sqlite', filename: '/var/lib/crm.db' })
    expect(parseDatabaseUrl('sqlite:///:memory:')).toEqual({ kind: 'sqlite', filename: ':memory:' })
  })

  it('understands PostgreSQL URLs, including the SQLAlchemy driver form', () => {
    for (const url of ['postgresql://u:p@h:5432/db', 'postgres://u:p@h:5432/db', 'postgresql+psycopg2://u:p@h:5432/db']) {
      expect(parseDatabaseUrl(url)).toEqual({ kind: 'postgres', connectionString: 'postgresql://u:p@h:5432/db' })
    }
  })

  it('rejects anything else', () => {
    expect(() => parseDatabaseUrl('mysql://u@h/db')).toThrow(/expected/)
    expect(() => parseDatabaseUrl('sqlite://crm.db')).toThrow(/expected/)
  })
})

describe('readEnvFile', () => {
  it('reads KEY=value lines and answers nothing for a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-env-'))
    writeFileSync(join(dir, '.env'), '# comment\nPORT=9001\nAPP_NAME="Mini CRM - Распределение лидов"\n')
    expect(readEnvFile(join(dir, '.env'))).toEqual({ PORT: '9001', APP_NAME: 'Mini CRM - Распределение лидов' })
    expect(readEnvFile(join(dir, 'missing.env'))).toEqual({})
  })
})
