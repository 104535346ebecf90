import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'

describe('IDEMPOTENCY_KEY_TTL_HOURS', () => {
  it('defaults to 24 hours and accepts fractions', () => {
    expect(loadConfig({}).idempotencyKeyTtlHours).toBe(24)
    expect(loadConfig({ IDEMPOTENCY_KEY_TTL_HOURS: '0.25' }).idempotencyKeyTtlHours).toBe(0.25)
  })

  it.each(['0', '-1', 'soon', '9000'])('rejects %s, naming the variable', (value) => {
    expect(() => loadConfig({ IDEMPOTENCY_KEY_TTL_HOURS: value })).toThrow(/IDEMPOTENCY_KEY_TTL_HOURS/)
  })
})

describe('IDEMPOTENCY_KEYS_PER_CLIENT', () => {
  it('defaults to 100000; 0 means no cap', () => {
    expect(loadConfig({}).idempotencyKeysPerClient).toBe(100_000)
    expect(loadConfig({ IDEMPOTENCY_KEYS_PER_CLIENT: '0' }).idempotencyKeysPerClient).toBe(0)
  })

  it.each(['-1', 'many', '1.5'])('rejects %s, naming the variable', (value) => {
    expect(() => loadConfig({ IDEMPOTENCY_KEYS_PER_CLIENT: value })).toThrow(/IDEMPOTENCY_KEYS_PER_CLIENT/)
  })
})
