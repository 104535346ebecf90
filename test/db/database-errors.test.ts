import { describe, expect, it } from 'vitest'
import { classifyDatabaseError, markAsDriverError } from '../../src/db/database-errors.js'

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code })

describe('classifyDatabaseError', () => {
  it.each([
    ['40001', 'transient'],
    ['40P01', 'transient'],
    ['SQLITE_BUSY', 'transient'],
    ['ECONNREFUSED', 'unavailable'],
    ['57P01', 'unavailable'],
    ['08006', 'unavailable'],
    ['57014', 'unavailable'],
    ['23505', 'constraint'],
    ['SQLITE_CONSTRAINT_FOREIGNKEY', 'constraint'],
  ])('classifies code %s as %s', (code, kind) => {
    expect(classifyDatabaseError(markAsDriverError(withCode(code)))).toBe(kind)
  })

  it('recognises connection failures pg reports only by message', () => {
    expect(classifyDatabaseError(markAsDriverError(new Error('timeout exceeded when trying to connect')))).toBe('unavailable')
    expect(classifyDatabaseError(markAsDriverError(new Error('Connection terminated unexpectedly')))).toBe('unavailable')
  })

  it('counts SQLSTATE and SQLite codes whoever passes them on: only a database reports them', () => {
    expect(classifyDatabaseError(withCode('40P01'))).toBe('transient')
    expect(classifyDatabaseError(withCode('SQLITE_BUSY'))).toBe('transient')
  })

  it('leaves everything else to the generic 500', () => {
    expect(classifyDatabaseError(new TypeError('boom'))).toBeUndefined()
    expect(classifyDatabaseError(withCode('42P01'))).toBeUndefined()
    expect(classifyDatabaseError('not an error')).toBeUndefined()
  })
})
