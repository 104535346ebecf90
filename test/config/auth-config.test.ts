import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.js'

describe('auth settings', () => {
  it('default to keys on and no bootstrap key', () => {
    const config = loadConfig({})
    expect(config.authDisabled).toBe(false)
    expect(config.adminApiKey).toBeUndefined()
  })

  it('read AUTH_DISABLED as a boolean and ADMIN_API_KEY as given', () => {
    const key = 'k'.repeat(32)
    expect(loadConfig({ AUTH_DISABLED: 'true', ADMIN_API_KEY: ` ${key} ` })).toMatchObject({ authDisabled: true, adminApiKey: key })
    expect(() => loadConfig({ AUTH_DISABLED: 'sometimes' })).toThrow(/AUTH_DISABLED=/)
  })

  it.each(['short-secret-value', `${'x'.repeat(20)} ${'y'.repeat(20)}`])(
    'rejects ADMIN_API_KEY %j, naming the variable but never echoing the value',
    (value) => {
      let error: unknown
      try {
        loadConfig({ ADMIN_API_KEY: value })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).message).toContain('ADMIN_API_KEY')
      expect((error as ConfigError).message).toContain('at least 32')
      expect((error as ConfigError).message).not.toContain(value.slice(0, 10))
    },
  )
})
