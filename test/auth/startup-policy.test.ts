import { describe, expect, it } from 'vitest'
import { decideStartup, isLoopbackHost } from '../../src/auth/startup-policy.js'

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true)
  })

  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.10', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'crm.example.com', 'localhost.example.com', ''])(
    '%j is not',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false)
    },
  )
})

describe('decideStartup', () => {
  it('with an unrevoked key, starts anywhere without a warning', () => {
    expect(decideStartup({ host: '0.0.0.0', authDisabled: false, activeKeys: 1 })).toEqual({ action: 'start' })
    expect(decideStartup({ host: '127.0.0.1', authDisabled: false, activeKeys: 3 })).toEqual({ action: 'start' })
  })

  it('with no key on loopback, starts open with a warning that says how to create a key', () => {
    const decision = decideStartup({ host: '127.0.0.1', authDisabled: false, activeKeys: 0 })
    expect(decision).toEqual({ action: 'start', warning: expect.stringContaining('npm run keys -- create --role admin --name ops') })
    expect(decision.action === 'start' && decision.warning).toMatch(/open/)
  })

  it.each(['0.0.0.0', '::', '10.1.2.3', 'crm.internal'])('with no key on %s, refuses, saying how to create a key or disable auth', (host) => {
    const decision = decideStartup({ host, authDisabled: false, activeKeys: 0 })
    expect(decision.action).toBe('refuse')
    const message = decision.action === 'refuse' ? decision.message : ''
    for (const hint of ['npm run keys -- create --role admin --name ops', 'ADMIN_API_KEY', 'AUTH_DISABLED=true', host]) {
      expect(message).toContain(hint)
    }
  })

  it('AUTH_DISABLED starts anywhere, keys or not, with a loud warning', () => {
    for (const activeKeys of [0, 2]) {
      const decision = decideStartup({ host: '0.0.0.0', authDisabled: true, activeKeys })
      expect(decision).toEqual({ action: 'start', warning: expect.stringContaining('AUTH_DISABLED=true') })
    }
  })
})
