import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { apiClient, type JsonResponse } from './api-client.js'

/** Assertions on the error contract for the HTTP route tests (test/<module>/*.routes.test.ts, test/http/*). */

/**
 * Asserts the error contract: the status, `{"detail", "code"}` and nothing else; for 422 `detail` is a
 * non-empty list of `{loc, msg, type}`, otherwise a non-empty message. Answers the detail for further checks.
 */
export function expectError(response: Pick<JsonResponse, 'status' | 'body'>, status: number, code: string): any {
  expect(response.status, JSON.stringify(response.body)).toBe(status)
  expect(response.body).toBeTypeOf('object')
  expect(Object.keys(response.body).sort()).toEqual(['code', 'detail'])
  expect(response.body.code).toBe(code)
  const detail = response.body.detail
  if (status === 422) {
    expect(Array.isArray(detail)).toBe(true)
    expect(detail.length).toBeGreaterThan(0)
    for (const problem of detail) {
      expect(Object.keys(problem).sort()).toEqual(['loc', 'msg', 'type'])
      expect(Array.isArray(problem.loc)).toBe(true)
      expect(problem.msg).toBeTypeOf('string')
      expect(problem.type).toBeTypeOf('string')
    }
  } else {
    expect(detail).toBeTypeOf('string')
    expect(detail.length).toBeGreaterThan(0)
  }
  return detail
}

/** Asserts a 422 whose detail names the given location, e.g. ['body', 'max_load']. */
export function expectValidationError(response: Pick<JsonResponse, 'status' | 'body'>, loc: (string | number)[], type?: string): void {
  const detail = expectError(response, 422, 'VALIDATION_ERROR') as { loc: unknown[]; type: string }[]
  const problem = detail.find((p) => JSON.stringify(p.loc) === JSON.stringify(loc))
  expect(problem, `no problem at ${JSON.stringify(loc)} in ${JSON.stringify(detail)}`).toBeDefined()
  if (type !== undefined) expect(detail.map((p) => p.type)).toContain(type)
}

/** Sends a body exactly as given (raw text), with the given content type (null: no content-type header). */
export function rawRequest(
  app: FastifyInstance,
  method: 'POST' | 'PATCH' | 'GET' | 'DELETE' | 'PUT',
  url: string,
  payload?: string | Buffer,
  contentType: string | null = 'application/json',
): Promise<JsonResponse> {
  return apiClient(app).raw(method, url, payload, contentType)
}
