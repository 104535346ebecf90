import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TEST_BACKEND } from '../helpers/test-database.js'
import {
  contentTypeArb,
  idTextArb,
  jsonBodyArb,
  oddText,
  queryArb,
  rawBodyArb,
  requestArb,
  undocumentedQueryArb,
  type BodyPart,
  type GeneratedRequest,
} from './arbitraries.js'
import { Harness, runs } from './harness.js'
import { routesOf, type JsonSchema, type RouteSpec } from './openapi-routes.js'
import { concretize, describeExchange, percentEncode, send } from './request.js'

/**
 * Generated path parameters, query strings, JSON bodies, raw bodies, content types and methods, thrown
 * at every route /openapi.json documents, one request after another on one seeded database. For every
 * request: never a 5xx; errors are `{detail, code}`; the invariants hold afterwards (current_load equals
 * the operator's active contacts and stays within max_load, the statistics equal the contacts); a
 * rejected request (>= 400) and a read leave every table exactly as it was.
 */

// PostgreSQL answers each of the ~25 queries a checked request costs more slowly than in-memory SQLite.
const RUNS =
  TEST_BACKEND === 'postgres'
    ? { path: 80, query: 80, undocumented: 60, body: 150, raw: 80, method: 80 }
    : { path: 150, query: 150, undocumented: 100, body: 300, raw: 150, method: 150 }
const TIMEOUT_MS = 180_000

let h: Harness
let routes: RouteSpec[]

beforeEach(async () => {
  h = await Harness.create()
  routes = await routesOf(h.t.app)
})
afterEach(async () => {
  await h.close()
})

async function check(name: string, request: fc.Arbitrary<GeneratedRequest>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(request, async (generated) => {
      await h.exercise(generated)
    }),
    { numRuns: runs(numRuns) },
  )
  console.info(`[${TEST_BACKEND}] ${name}: ${runs(numRuns)} runs; ${h.coverage()}`)
}

/** Routes with a body schema come up `bodyWeight` times as often as the others. */
function weightedRoutes(bodyWeight: number): fc.Arbitrary<RouteSpec> {
  return fc.oneof(...routes.map((route) => ({ weight: route.body ? bodyWeight : 1, arbitrary: fc.constant(route) })))
}

describe('every documented route, with generated input', () => {
  it('covers the routes the app documents', () => {
    const keys = routes.map((r) => r.key)
    for (const key of ['POST /operators/', 'PATCH /operators/{id}', 'DELETE /operators/{id}', 'POST /sources/{id}/distribution', 'POST /contacts/', 'PATCH /contacts/{id}', 'GET /leads/{id}/contacts', 'GET /stats/contacts']) {
      expect(keys).toContain(key)
    }
  })

  it(
    'path parameters: any text, number or id (existing, deleted, missing) in every {param}',
    async () => {
      const withParams = routes.filter((r) => r.pathParams.length > 0)
      await check('path parameters', fc.constantFrom(...withParams).chain((route) => requestArb(route, { path: true })), RUNS.path)
    },
    TIMEOUT_MS,
  )

  it(
    'query strings: known keys with any value, unknown and repeated keys, broken encoding',
    async () => {
      const allQueryParams = new Map<string, JsonSchema>(routes.flatMap((r) => r.queryParams.map((p) => [p.name, p.schema] as const)))
      await check('query strings', fc.constantFrom(...routes).chain((route) => requestArb(route, { query: queryArb(route, allQueryParams) })), RUNS.query)
    },
    TIMEOUT_MS,
  )

  it(
    'query keys a route does not document change nothing: the answer is the one without them',
    async () => {
      const allQueryParams = new Map<string, JsonSchema>(routes.flatMap((r) => r.queryParams.map((p) => [p.name, p.schema] as const)))
      const reads = routes.filter((r) => r.method === 'GET')
      const request = fc
        .constantFrom(...reads)
        .chain((route) => fc.tuple(requestArb(route, {}), undocumentedQueryArb(route, allQueryParams)))
        .map(([base, extra]) => ({ base, extended: { ...base, query: { kind: 'pairs' as const, pairs: [...(base.query.kind === 'pairs' ? base.query.pairs : []), ...extra] } } }))
      await fc.assert(
        fc.asyncProperty(request, async ({ base, extended }) => {
          const { request: sent, response } = await h.exercise(extended)
          // A read changes nothing (exercise checked it), so the ids resolve as they did for `sent`.
          const plain = concretize(base, h.resolve)
          const expected = await send(h.t.app, plain)
          expect([response.status, response.json], `${describeExchange(sent, response)}\nwithout them: ${describeExchange(plain, expected)}`).toEqual([
            expected.status,
            expected.json,
          ])
        }),
        { numRuns: runs(RUNS.undocumented) },
      )
      console.info(`[${TEST_BACKEND}] undocumented query keys: ${runs(RUNS.undocumented)} runs; ${h.coverage()}`)
    },
    TIMEOUT_MS,
  )

  it(
    'JSON bodies: valid, mutated (wrong types, missing and extra fields, huge, deep, odd numbers), or any JSON',
    async () => {
      await check('JSON bodies', weightedRoutes(4).chain((route) => requestArb(route, { body: jsonBodyArb(route.body), headers: true })), RUNS.body)
    },
    TIMEOUT_MS,
  )

  it(
    'raw bodies and content types: text, bytes, cut-short JSON, under any content type or none',
    async () => {
      const bodies = (schema: JsonSchema | undefined): fc.Arbitrary<BodyPart> => fc.oneof(rawBodyArb(schema), jsonBodyArb(schema))
      await check(
        'raw bodies and content types',
        weightedRoutes(3).chain((route) => requestArb(route, { body: bodies(route.body), contentType: contentTypeArb })),
        RUNS.raw,
      )
    },
    TIMEOUT_MS,
  )

  it(
    'methods and paths: other methods on documented paths, unknown paths, everything fuzzed at once',
    async () => {
      const allQueryParams = new Map<string, JsonSchema>(routes.flatMap((r) => r.queryParams.map((p) => [p.name, p.schema] as const)))
      const methods = fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS', 'TRACE', 'SEARCH', 'PROPFIND')
      const anyBody = (schema: JsonSchema | undefined): fc.Arbitrary<BodyPart> =>
        fc.oneof(fc.constant<BodyPart>({ kind: 'none' }), jsonBodyArb(schema), rawBodyArb(schema))

      const otherMethod = fc
        .tuple(fc.constantFrom(...routes), methods)
        .chain(([route, method]) => requestArb(route, { body: anyBody(route.body) }).map((request) => ({ ...request, method })))

      const segments = [...new Set(routes.flatMap((r) => r.template.split('/')).filter((s) => s !== '' && !s.startsWith('{')))]
      const segment = fc.oneof(
        fc.constantFrom(...segments, 'docs', 'openapi.json', 'static', 'json', 'yaml', 'api', 'v1', 'Operators', 'OPERATORS', '', '.', '..'),
        idTextArb('operator').map((v) => (typeof v === 'string' ? percentEncode(v) : '1')),
        oddText.map(percentEncode),
      )
      const unknownPath = fc
        .tuple(methods, fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean(), anyBody(undefined))
        .map(([method, parts, slash, body]): GeneratedRequest => ({
          method,
          template: `/${parts.join('/')}${slash ? '/' : ''}`,
          path: {},
          query: { kind: 'pairs', pairs: [] },
          body,
          headers: {},
        }))

      const everything = fc.constantFrom(...routes).chain((route) =>
        requestArb(route, {
          path: true,
          query: queryArb(route, allQueryParams),
          body: anyBody(route.body),
          headers: true,
          contentType: fc.oneof(fc.constant(undefined), contentTypeArb),
        }),
      )
      await check('methods and paths', fc.oneof(otherMethod, unknownPath, everything), RUNS.method)
    },
    TIMEOUT_MS,
  )

  it('valid bodies for every body route are accepted on the seeded state (the generators reach the success paths)', async () => {
    const withBody = routes.filter((r) => r.body)
    const accepted = new Set<string>()
    for (const route of withBody) {
      const requests = fc.sample(requestArb(route, {}), { numRuns: 15, seed: 1 })
      for (const request of requests) {
        const { response } = await h.exercise(request)
        if (response.status < 300) accepted.add(route.key)
      }
    }
    expect([...accepted].sort()).toEqual(withBody.map((r) => r.key).sort())
  }, TIMEOUT_MS)
})
