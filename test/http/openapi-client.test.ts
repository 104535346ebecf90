import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

/**
 * What a newcomer does with /openapi.json: generate types with openapi-typescript and write a client against them.
 * The client below must compile, and its `@ts-expect-error` lines must be errors: the types are the contract's,
 * not `any` or `Record<string, never>`.
 */
const TYPED_CLIENT = `
import type { components, operations } from './api.js'

type Schemas = components['schemas']
type JsonBody<Id extends keyof operations> = operations[Id] extends { requestBody: { content: { 'application/json': infer B } } } ? B : never
type Answer<Id extends keyof operations, Status extends keyof operations[Id]['responses']> =
  operations[Id]['responses'][Status] extends { content: { 'application/json': infer A } } ? A : never

declare function send<Id extends keyof operations>(operationId: Id, body?: JsonBody<Id>): Promise<unknown>

export async function seedWalkthrough(): Promise<string | undefined> {
  const operator = (await send('createOperator', { name: 'Иван Иванов', is_active: true, max_load: 10 })) as Answer<'createOperator', 201>
  await send('createOperator', { name: 'Пётр Петров', max_load: 5 })
  const source = (await send('createSource', { name: 'Telegram Bot 1' })) as Answer<'createSource', 201>
  await send('setDistribution', { operator_weights: [{ operator_id: operator.id, weight: 10 }] })
  const contact = (await send('registerContact', { external_id: 'user_12345', source_id: source.id, phone: null })) as Schemas['Contact']
  const status: 'active' | 'closed' = contact.status
  const closed = (await send('closeContact', { status: 'closed' })) as Answer<'closeContact', 200>
  const stats = (await send('getContactStats')) as Answer<'getContactStats', 200>
  const waiting: number = stats.waiting_contacts + (stats.by_operator[0]?.active ?? 0)
  const problem = (await send('getOperator')) as Answer<'getOperator', 404>
  const code: Schemas['ErrorBody']['code'] = problem.code
  const where = typeof problem.detail === 'string' ? [] : problem.detail.map((p: Schemas['FieldProblem']) => p.loc)
  void [status, closed.closed_at, waiting, code, where]
  return contact.operator?.name
}

export async function mistakesTheTypesCatch(contact: Schemas['Contact']): Promise<void> {
  // @ts-expect-error max_load is an integer, not text
  await send('createOperator', { name: 'Пётр Петров', max_load: 'five' })
  // @ts-expect-error a contact is active or closed, nothing else
  const reopened: Schemas['Contact']['status'] = 'open'
  // @ts-expect-error not a documented error code
  const teapot: Schemas['ErrorBody']['code'] = 'TEAPOT'
  // @ts-expect-error the operator may be null: a contact nobody could take
  const name: string = contact.operator.name
  // @ts-expect-error no such operation
  await send('deleteEverything')
  void [reopened, teapot, name]
}
`

let t: TestApp
let dir: string
beforeAll(async () => {
  t = await createTestApp()
  dir = await mkdtemp(join(tmpdir(), 'crm-client-'))
})
afterAll(async () => {
  await t.close()
  await rm(dir, { recursive: true, force: true })
})

describe('a typed client generated from /openapi.json', () => {
  it('gets named types for every resource and named operations, and compiles against them', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    // A field with a default may be left out of a request: without this option openapi-typescript makes it required.
    const types = astToString(await openapiTS(doc, { silent: true, defaultNonNullable: false }))
    for (const name of ['Operator', 'Source', 'Contact', 'Lead', 'OperatorWeight', 'ContactStats', 'ErrorBody']) {
      expect(types).toMatch(new RegExp(`^ {8}${name}: \\{`, 'm'))
    }
    expect(types).toMatch(/^ {4}registerContact: \{/m)

    await writeFile(join(dir, 'api.ts'), types)
    await writeFile(join(dir, 'client.ts'), TYPED_CLIENT)
    const program = ts.createProgram([join(dir, 'client.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts'],
      types: [],
    })
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    expect(problems).toEqual([])
  })
})
