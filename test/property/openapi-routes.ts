import type { FastifyInstance } from 'fastify'

/** A JSON Schema as /openapi.json spells it (OpenAPI 3.0: `nullable`, `anyOf`, `enum`, `format`). */
export type JsonSchema = Record<string, any>

export interface ParamSpec {
  name: string
  schema: JsonSchema
}

/** One documented route, as the property tests see it. */
export interface RouteSpec {
  /** `PATCH /operators/{id}`: how failures and the coverage summary name it. */
  key: string
  method: string
  /** The OpenAPI path, with `{name}` for each path parameter. */
  template: string
  pathParams: ParamSpec[]
  queryParams: ParamSpec[]
  headerParams: ParamSpec[]
  body?: JsonSchema
}

/**
 * Every documented route of the running app, read from its own /openapi.json, so a route added
 * tomorrow is fuzzed without touching the tests.
 */
export async function routesOf(app: FastifyInstance): Promise<RouteSpec[]> {
  const response = await app.inject({ method: 'GET', url: '/openapi.json' })
  if (response.statusCode !== 200) throw new Error(`/openapi.json answered ${response.statusCode}`)
  const document = response.json<{ paths: Record<string, Record<string, any>> }>()
  const inline = (node: unknown): any => inlineRefs(document, node)
  const routes: RouteSpec[] = []
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = (operation.parameters ?? []) as { in: string; name: string; schema: JsonSchema }[]
      const of = (place: string) => parameters.filter((p) => p.in === place).map(({ name, schema }) => ({ name, schema }))
      const body = inline(operation.requestBody?.content?.['application/json']?.schema) as JsonSchema | undefined
      routes.push({
        key: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        pathParams: of('path'),
        queryParams: of('query'),
        headerParams: of('header'),
        ...(body && { body }),
      })
    }
  }
  if (routes.length === 0) throw new Error('/openapi.json lists no routes')
  return routes
}

/** A schema with every local `$ref` of the document replaced by what it names (named schemas are not recursive). */
export function inlineRefs(document: unknown, node: unknown): any {
  if (Array.isArray(node)) return node.map((item) => inlineRefs(document, item))
  if (!node || typeof node !== 'object') return node
  const { $ref } = node as { $ref?: unknown }
  if (typeof $ref === 'string') {
    const target = $ref.replace(/^#\//, '').split('/').reduce((at: any, key) => at?.[key], document)
    if (target === undefined) throw new Error(`unresolved ${$ref}`)
    return inlineRefs(document, target)
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inlineRefs(document, value)]))
}

/** The entity an id names, from a field (`source_id`) or the path segment before it (`/sources/{id}`). */
export type Entity = 'operator' | 'source' | 'contact' | 'lead'

const ENTITIES: Record<string, Entity> = {
  operators: 'operator',
  operator_id: 'operator',
  sources: 'source',
  source_id: 'source',
  contacts: 'contact',
  contact_id: 'contact',
  leads: 'lead',
  lead_id: 'lead',
}

export function entityOf(name: string): Entity | undefined {
  return Object.hasOwn(ENTITIES, name) ? ENTITIES[name] : undefined
}

/** The entity of each path parameter of a template: `/sources/{id}/distribution` -> { id: 'source' }. */
export function pathParamEntities(template: string): Record<string, Entity | undefined> {
  const segments = template.split('/')
  const entities: Record<string, Entity | undefined> = {}
  segments.forEach((segment, index) => {
    const match = /^\{(.+)\}$/.exec(segment)
    if (match?.[1]) entities[match[1]] = entityOf(segments[index - 1] ?? '') ?? entityOf(match[1])
  })
  return entities
}
