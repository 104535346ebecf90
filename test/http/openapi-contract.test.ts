import { Value } from 'typebox/value'
import { afterEach, describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../src/errors.js'
import { NAMED_SCHEMAS } from '../../src/http/named-schemas.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

/**
 * The rules every route of /openapi.json follows, so a generated client gets named operations and types and a
 * validating proxy accepts what the server accepts. A new route is checked without touching this file.
 */

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function openApi(env: Record<string, string> = {}): Promise<any> {
  t = await createTestApp({ env })
  const response = await t.app.inject({ method: 'GET', url: `${env.API_V1_PREFIX ?? ''}/openapi.json` })
  expect(response.statusCode).toBe(200)
  return response.json()
}

function operationsOf(doc: any): { key: string; path: string; method: string; op: any }[] {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
  )
}

const jsonSchema = (holder: any) => holder?.content?.['application/json']?.schema
const COMPONENT_REF = /^#\/components\/schemas\/[A-Z][A-Za-z]+$/

describe('/openapi.json, for client generators', () => {
  it('names every resource, request body and the error under components.schemas', async () => {
    const doc = await openApi()
    expect(Object.keys(doc.components.schemas).sort()).toEqual(
      [
        'Contact', 'ContactAssign', 'ContactCreate', 'ContactStats', 'ContactUpdate', 'DistributionPreview',
        'DistributionSet', 'ErrorBody', 'Event', 'FieldProblem', 'Health', 'Lead', 'Operator', 'OperatorContactStats',
        'OperatorCreate', 'OperatorShare', 'OperatorUpdate', 'OperatorWeight', 'PreviewOperator', 'Source',
        'SourceContactStats', 'SourceCreate', 'SourceDistributionStats', 'SourceUpdate', 'Webhook', 'WebhookCreate',
        'WebhookUpdate', 'WebhookWithSecret', 'Delivery',
      ].sort(),
    )
    // Every named schema the routes use is registered (NAMED_SCHEMAS), and every registered one is listed.
    expect(Object.keys(doc.components.schemas).sort()).toEqual(NAMED_SCHEMAS.map((s) => (s as { $id: string }).$id).sort())
  })

  it('gives every operation a unique camelCase operationId, a summary and a tag', async () => {
    const doc = await openApi()
    const operations = operationsOf(doc)
    for (const { key, op } of operations) {
      expect(op.operationId, key).toMatch(/^[a-z][A-Za-z]+$/)
      expect(op.summary, key).toEqual(expect.any(String))
      expect(op.tags, key).toHaveLength(1)
    }
    const ids = operations.map(({ op }) => op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('answers every success with a named schema (or a list of one), and takes every body as one', async () => {
    const doc = await openApi()
    for (const { key, op } of operationsOf(doc)) {
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
        expect(response.description, `${key} ${status}`).not.toBe('Default Response')
        const schema = jsonSchema(response)
        if (!status.startsWith('2') || schema === undefined) continue
        expect(schema.$ref ?? schema.items?.$ref, `${key} ${status}: ${JSON.stringify(schema)}`).toMatch(COMPONENT_REF)
      }
      if (op.requestBody) expect(jsonSchema(op.requestBody).$ref, key).toMatch(COMPONENT_REF)
    }
  })

  it('documents 400, 413, 415 and 422 wherever a body is read, 429 wherever requests are rate limited, 500 and 503 everywhere', async () => {
    const doc = await openApi()
    for (const { key, path, op } of operationsOf(doc)) {
      const statuses = Object.keys(op.responses)
      if (op.requestBody) expect(statuses, key).toEqual(expect.arrayContaining(['400', '413', '415', '422']))
      if (path !== '/health') expect(statuses, key).toEqual(expect.arrayContaining(['429']))
      expect(statuses, key).toEqual(expect.arrayContaining(['500', '503']))
      for (const status of statuses.filter((s) => Number(s) >= 400 && path !== '/health')) {
        expect(jsonSchema(op.responses[status]).$ref, `${key} ${status}`).toBe('#/components/schemas/ErrorBody')
      }
    }
    expect(doc.paths['/operators/'].post.responses['429'].headers).toHaveProperty('retry-after')
  })

  it('documents no 429 when the rate limit, the refused-key limit and the Idempotency-Key cap are all off', async () => {
    const doc = await openApi({ RATE_LIMIT_MAX: '0', AUTH_FAILURE_MAX: '0', IDEMPOTENCY_KEYS_PER_CLIENT: '0' })
    for (const { key, op } of operationsOf(doc)) expect(Object.keys(op.responses), key).not.toContain('429')
  })

  it('documents 429 on every keyed route while refused keys are counted, the rate limit off', async () => {
    const doc = await openApi({ RATE_LIMIT_MAX: '0' })
    for (const { key, path, op } of operationsOf(doc)) {
      if (path !== '/health') expect(Object.keys(op.responses), key).toContain('429')
    }
  })

  it('lists the error codes as an enum, each explained', async () => {
    const doc = await openApi()
    const code = doc.components.schemas.ErrorBody.properties.code
    expect(code.enum).toEqual(Object.keys(ERROR_CODES))
    for (const name of code.enum) expect(code.description).toContain(`\`${name}\``)
    expect(doc.components.schemas.ErrorBody.properties.detail.anyOf[1].items.$ref).toBe('#/components/schemas/FieldProblem')
  })

  it("gives every named schema a description and real examples that match it (the seed's names, not placeholders)", async () => {
    const doc = await openApi()
    const context = Object.fromEntries(NAMED_SCHEMAS.map((s) => [(s as { $id: string }).$id, s]))
    const examples: unknown[] = []
    for (const schema of NAMED_SCHEMAS) {
      const name = (schema as { $id: string }).$id
      expect(doc.components.schemas[name].description, name).toEqual(expect.any(String))
      for (const example of (schema as { examples?: unknown[] }).examples ?? []) {
        expect(Value.Check(context, schema, example), `${name}: ${JSON.stringify(example)}`).toBe(true)
        examples.push(example)
      }
    }
    const text = JSON.stringify(examples)
    for (const seed of ['Иван Иванов', 'Telegram Bot 1', 'user_12345']) expect(text).toContain(seed)
    expect(doc.components.schemas.Operator.example).toMatchObject({ name: 'Иван Иванов' })
  })

  it('has servers and says in its description that both path forms answer', async () => {
    const doc = await openApi()
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }])
    expect(doc.info.description).toMatch(/with and without its trailing slash/)
    const prefixed = await openApi({ API_V1_PREFIX: '/api/v1' })
    expect(prefixed.servers).toEqual([{ url: '/api/v1', description: expect.any(String) }])
  })
})

describe('/openapi.json security, as this process asks for keys', () => {
  const protectedOps = (doc: any) => operationsOf(doc).filter(({ path }) => path !== '/health')

  it('on loopback, where the API is open until a key exists, also allows no key ({})', async () => {
    const doc = await openApi()
    expect(doc.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }, {}])
    expect(doc.info.description).toMatch(/until the first key is created/)
    for (const { key, op } of protectedOps(doc)) expect(Object.keys(op.responses), key).toEqual(expect.arrayContaining(['401', '403']))
    expect(doc.paths['/health'].get.security).toEqual([])
  })

  it('on any other address, requires a key on every route but /health', async () => {
    const doc = await openApi({ HOST: '0.0.0.0' })
    expect(doc.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }])
    for (const { key, op } of protectedOps(doc)) expect(op.security, key).toBeUndefined()
  })

  it('with AUTH_DISABLED=true, requires nothing and documents no 401 or 403', async () => {
    const doc = await openApi({ AUTH_DISABLED: 'true' })
    expect(doc.security).toEqual([])
    for (const { key, op } of protectedOps(doc)) expect(Object.keys(op.responses), key).not.toContain('401')
  })
})
