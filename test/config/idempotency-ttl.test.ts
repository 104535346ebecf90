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
