import { describe, expect, it } from 'vitest'
import { clientOf, FailedAuthLimit } from '../../src/auth/failed-auth-limit.js'

describe('clientOf', () => {
  it('keeps IPv4 addresses, unwraps IPv4-mapped IPv6, and groups IPv6 by its /64', () => {
    expect(clientOf('203.0.113.9')).toBe('203.0.113.9')
    expect(clientOf('::ffff:203.0.113.9')).toBe('203.0.113.9')
    expect(clientOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64')
    expect(clientOf('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64')
    expect(clientOf('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(clientOf('::1')).toBe('0:0:0:0::/64')
    expect(clientOf('1::2:3:4:5:192.0.2.1')).toBe('1:0:2:3::/64')
  })
})

describe('FailedAuthLimit', () => {
  it('refuses an address from its max-th failure until its window ends', () => {
    let now = 1_000_000
    const limit = new FailedAuthLimit({ max: 3, windowMs: 10_000, now: () => now })
    for (let i = 0; i < 3; i++) {
      expect(limit.retryAfterSeconds('203.0.113.9')).toBe(0)
      limit.recordFailure('203.0.113.9')
    }
    expect(limit.retryAfterSeconds('203.0.113.9')).toBe(10)
    now += 9_500
    expect(limit.retryAfterSeconds('203.0.113.9')).toBe(1)
    now += 500
    expect(limit.retryAfterSeconds('203.0.113.9')).toBe(0)
    limit.recordFailure('203.0.113.9')
    expect(limit.retryAfterSeconds('203.0.113.9')).toBe(0)
  })

  it('stays bounded in memory under failures from 200,000 addresses (4 × the cap), still refusing the latest', () => {
    const now = 1_000_000
    const limit = new FailedAuthLimit({ max: 1, windowMs: 60_000, now: () => now })
    for (let i = 0; i < 200_000; i++) limit.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
    expect(limit.retryAfterSeconds('10.3.13.63')).toBeGreaterThan(0)
    expect(limit.retryAfterSeconds('10.0.0.0')).toBe(0)
  })
})
