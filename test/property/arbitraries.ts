import fc from 'fast-check'
import { entityOf, pathParamEntities, type Entity, type JsonSchema, type RouteSpec } from './openapi-routes.js'

/**
 * Generated requests are plain data with placeholders, resolved against the state when they are sent:
 * an IdRef becomes the id of a row that exists then (or one that does not), a RawJson is spliced into
 * the body text as written (numbers JSON.stringify cannot produce, deep nesting, a body over 1 MiB).
 */

export type IdPick = 'existing' | 'deleted' | 'active' | 'closed' | 'missing'

export class IdRef {
  constructor(
    readonly entity: Entity,
    readonly pick: IdPick,
    readonly n: number,
  ) {}
  [fc.toStringMethod](): string {
    return `IdRef(${this.entity}:${this.pick}#${this.n})`
  }
}

export class RawJson {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    const shown = this.text.length > 60 ? `${this.text.slice(0, 60)}…(${this.text.length} chars)` : this.text
    return `RawJson(${JSON.stringify(shown)})`
  }
}

/** A path segment inserted without percent-encoding: broken escapes, dots, encoded slashes. */
export class RawSegment {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `RawSegment(${JSON.stringify(this.text)})`
  }
}

export type PathValue = IdRef | RawSegment | string
export type QueryPart = { kind: 'pairs'; pairs: [string, IdRef | string][] } | { kind: 'raw'; text: string }
export type BodyPart =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  /** A valid body's JSON text cut short at `cut` (modulo its length). */
  | { kind: 'truncated'; value: unknown; cut: number }

export interface GeneratedRequest {
  method: string
  /** An OpenAPI template (`/operators/{id}`) whose `{…}` are filled from `path`, or a literal path. */
  template: string
  path: Record<string, PathValue>
  query: QueryPart
  body: BodyPart
  /** The route's documented request headers (Idempotency-Key), by lower-case name. */
  headers: Record<string, string>
  /** null: no content-type header; undefined: application/json when there is a body. */
  contentType?: string | null
}

// ---------------------------------------------------------------------------------------------------
// Building blocks

export const SPECIAL_NUMBER_TEXTS = [
  '0', '-0', '+0', '1', '+1', '-1', '01', '00001', '1.0', '1.5', '-1.5', '0.1', '.5', '5.', '1e0', '1e3', '1E3', '1e-3',
  '1e308', '-1e308', '1e309', '-1e309', '5e-324', '1e-400', '2147483646', '2147483647', '2147483648', '4294967296',
  '9007199254740991', '9007199254740993', '-9007199254740993', '1' + '0'.repeat(400), '0x10', '0b1', '0o7', 'Infinity',
  '-Infinity', 'NaN', '1_000', '1,5', ' 1', '1 ', '\t1', '1\n', '١', '１', '²', 'Ⅻ',
]

const ODD_TEXTS = [
  '', ' ', '  ', '\t', '\n', '\u00a0', '\u200b', '\u3000', '\ufeff', '\u0000', 'null', 'undefined', 'true', 'false',
  '[]', '{}', '[1]', '{"a":1}', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '../', '..', '.',
  '/', '\\', '%', '%00', '?', '#', '&', '=', ';', "1' OR '1'='1", '1; DROP TABLE operators', '<script>', '${1}', '{{1}}',
  'Иван', '李小龙', '😀', 'e\u0301', '\ud800', '\udfff', 'active', 'closed', 'ACTIVE', 'x'.repeat(300),
]

const visibleAscii = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c))

const RAW_SEGMENTS = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%2F', '1%2F2', '%2e%2e', '..', '.', '%00', '1%00', '%20', '%u0031', '+1', '1+1', ';', '1;x=1', '~1', '*']

const numberText = fc.oneof(
  fc.constantFrom(...SPECIAL_NUMBER_TEXTS),
  fc.integer().map(String),
  fc.integer({ min: 2 ** 31 - 2, max: Number.MAX_SAFE_INTEGER }).map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d.toExponential()),
)

export const oddText = fc.oneof(
  fc.constantFrom(...ODD_TEXTS),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
)

const ALL_PICKS: IdPick[] = ['existing', 'existing', 'existing', 'deleted', 'active', 'closed', 'missing']

export function idRefArb(entity: Entity, picks: IdPick[] = ALL_PICKS): fc.Arbitrary<IdRef> {
  return fc.tuple(fc.constantFrom(...picks), fc.nat(1000)).map(([pick, n]) => new IdRef(entity, pick, n))
}

/** Any text a client could put where an id goes: real ids, missing ids, odd numbers, odd strings. */
export function idTextArb(entity: Entity | undefined): fc.Arbitrary<IdRef | string> {
  return fc.oneof(
    ...(entity ? [{ weight: 3, arbitrary: idRefArb(entity) as fc.Arbitrary<IdRef | string> }] : []),
    { weight: 3, arbitrary: numberText },
    { weight: 2, arbitrary: oddText },
  )
}

/** A string any schema with `format: non-blank` accepts, names in several scripts included. */
function nonBlankArb(maxLength: number): fc.Arbitrary<string> {
  const text = fc.oneof(
    fc.constantFrom('Иван Иванов', 'Пётр Петров', '李小龙', "O'Brien", 'Ωmega', '😀 Smile', '  padded  ', 'x'.repeat(maxLength), 'Ab'),
    // Non-blank, but not all valid: control characters (NUL above all: C strings and PostgreSQL text end
    // there), combining marks, lone surrogates (stored as invalid UTF-8 or U+FFFD), invisible and bidi
    // format characters (a name of only those is blank to the eye).
    {
      weight: 2,
      arbitrary: fc.constantFrom('nul\u0000byte', '\u0000', 'end\u0000', 'tab\there', 'line\nbreak', 'bell\u0007', 'e\u0301', 'half \ud83d',
        'low \udc00 half', '\udfff', '\u200b', '\u200b\u200c\u200d', 'Iv\u200ban', 'rtl\u202eevil', 'soft\u00adhyphen', 'mid\ufeffbom', 'tag\u{e0001}'),
    },
    fc.string({ minLength: 1, maxLength: Math.min(maxLength, 40) }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(maxLength, 20) }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: Math.min(maxLength, 20) }),
  )
  return text.filter((s) => s.trim().length > 0 && s.length <= maxLength)
}

const emailArb = fc
  .tuple(fc.stringMatching(/^[a-z0-9._+-]{1,20}$/), fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.constantFrom('com', 'ru', 'example'))
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`)

/** external_ids that repeat across requests, so repeat contacts of one lead happen too. */
const externalIdArb = fc.oneof(fc.constantFrom('lead-a', 'lead-b', 'lead-c', ' lead-a ', 'LEAD-A'), nonBlankArb(255))

function integerArb(schema: JsonSchema): fc.Arbitrary<number> {
  const min = (schema.minimum as number | undefined) ?? -1_000_000
  const max = (schema.maximum as number | undefined) ?? 1_000_000
  return fc.oneof({ weight: 3, arbitrary: fc.integer({ min, max: Math.min(max, min + 20) }) }, { weight: 1, arbitrary: fc.integer({ min, max }) })
}

/** Webhook targets: http(s) on a public address or a name, with ports, paths and queries. */
const webhookUrlArb = fc
  .tuple(
    fc.constantFrom('http', 'https'),
    fc.constantFrom('93.184.216.34', 'crm.example.com', '[2606:2800:220:1:248:1893:25c8:1946]', 'hooks.example.org'),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    fc.webPath(),
  )
  .map(([scheme, host, port, path]) => `${scheme}://${host}${port === undefined ? '' : `:${port}`}${path}`)

/** A value the schema accepts (ids as IdRefs to rows that exist); `name` is the field it goes in. */
export function validValueArb(schema: JsonSchema, name = ''): fc.Arbitrary<unknown> {
  const base = validBaseArb(schema, name)
  return schema.nullable === true ? fc.oneof({ weight: 3, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) }) : base
}

function validBaseArb(schema: JsonSchema, name: string): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]))
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as JsonSchema[]).map((s) => validValueArb(s, name)))
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, validValueArb(s, key)]))
      return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] })
    }
    case 'array': {
      const items = schema.items as JsonSchema
      const maxLength = Math.min((schema.maxItems as number | undefined) ?? 4, 4)
      if (items.type === 'object' && items.properties?.operator_id) {
        // Distribution sets name each operator once; duplicates come from the mutations.
        return fc.uniqueArray(validValueArb(items), {
          maxLength,
          selector: (item) => {
            const ref = (item as { operator_id: unknown }).operator_id
            return ref instanceof IdRef ? `${ref.pick}:${ref.n}` : ref
          },
        })
      }
      const minLength = (schema.minItems as number | undefined) ?? 0
      if (schema.uniqueItems === true) return fc.uniqueArray(validValueArb(items), { minLength, maxLength: Math.max(minLength, maxLength) })
      return fc.array(validValueArb(items), { minLength, maxLength: Math.max(minLength, maxLength) })
    }
    case 'string': {
      const maxLength = (schema.maxLength as number | undefined) ?? 100
      if (schema.format === 'email') return emailArb.filter((s) => s.length <= maxLength)
      if (schema.format === 'webhook-url') return webhookUrlArb
      if (name === 'external_id') return externalIdArb
      if (schema.format === 'non-blank' || (schema.minLength ?? 0) > 0) return nonBlankArb(maxLength)
      return fc.oneof(fc.constantFrom('+79001234567', '8 (900) 123-45-67', '', '+7\u0000', '+7\ud800', '\udc00'), fc.string({ maxLength: Math.min(maxLength, 30) }))
    }
    case 'integer': {
      const entity = entityOf(name)
      if (entity) return fc.oneof({ weight: 4, arbitrary: idRefArb(entity, ['existing']) }, { weight: 1, arbitrary: idRefArb(entity) })
      return integerArb(schema)
    }
    case 'number': {
      const min = (schema.minimum as number | undefined) ?? -1_000_000
      const max = (schema.maximum as number | undefined) ?? 1_000_000
      return fc.oneof(integerArb(schema), fc.double({ min, max, noNaN: true }))
    }
    case 'boolean':
      return fc.boolean()
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

// ---------------------------------------------------------------------------------------------------
// Bodies: valid ones, mutated ones, anything

/** Fields the contract never lets a client set, and a few names that are dangerous in JavaScript. */
export const FOREIGN_KEYS = [
  'id', 'current_load', 'created_at', 'closed_at', 'deleted_at', 'updated_at', 'operator_id', 'lead_id', 'source_id',
  'status', 'is_active', 'max_load', 'name', 'external_id', 'weight', 'share', 'operator', 'lead', 'source',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ',
]

/** Values of the wrong type, at the edges, or simply odd, for any field. */
export const wrongValueArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      null, true, false, 0, -1, -0, 0.5, 1.5, -2.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE,
      1e6, 1e6 + 1, '', ' ', '\t\n', '\u00a0', '\u200b', '\u0000', '0', '1', '-1', 'true', 'null', 'closed', 'active', [],
      {}, [1], [null], { id: 1 }, { status: 'closed' }, '2000-01-01T00:00:00Z', 'not-an-email', 'a@', '@b.c',
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom(50, 51, 199, 200, 201, 254, 255, 256, 1000, 100_000).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer().map((n) => n) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
)

/** JSON text as written: numbers JSON.stringify cannot write, invalid tokens, deep nesting, huge strings. */
export const rawValueArb: fc.Arbitrary<RawJson> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_NUMBER_TEXTS.filter((t) => !/\s/.test(t))) },
  { weight: 1, arbitrary: fc.constantFrom('undefined', "'x'", '"\\ud800"', '"\\u0000"', '"\\x41"', '"a\tb"', 'tru', 'nul', '[1,]', '{,}') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 100_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)) },
  { weight: 1, arbitrary: fc.constantFrom(1024 * 1024 - 100, 1024 * 1024 + 1).map((n) => `"${'x'.repeat(n)}"`) },
).map((text) => new RawJson(text))

type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'set'; at: number; value: unknown }
  | { op: 'raw'; at: number; value: RawJson }
  | { op: 'extra'; at: number; key: string; value: unknown }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((at): Mutation => ({ op: 'drop', at })),
  fc.tuple(fc.nat(), wrongValueArb).map(([at, value]): Mutation => ({ op: 'set', at, value })),
  fc.tuple(fc.nat(), rawValueArb).map(([at, value]): Mutation => ({ op: 'raw', at, value })),
  fc
    .tuple(fc.nat(), fc.oneof(fc.constantFrom(...FOREIGN_KEYS), fc.string()), fc.oneof(wrongValueArb, idRefArb('operator')))
    .map(([at, key, value]): Mutation => ({ op: 'extra', at, key, value })),
)

/** Sets an own property, `__proto__` included, the way JSON.parse would. */
export function defineField(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** Every object (for 'extra') or field (for 'drop', 'set', 'raw') inside a value, by position. */
function slots(value: unknown): { parent: Record<string, unknown> | unknown[]; key: string | number | undefined }[] {
  const found: { parent: Record<string, unknown> | unknown[]; key: string | number | undefined }[] = []
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        found.push({ parent: node, key: index })
        visit(item)
      })
    } else if (node !== null && typeof node === 'object' && !(node instanceof IdRef) && !(node instanceof RawJson)) {
      const record = node as Record<string, unknown>
      found.push({ parent: record, key: undefined })
      for (const key of Object.keys(record)) {
        found.push({ parent: record, key })
        visit(record[key])
      }
    }
  }
  visit(value)
  return found
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone)
  if (value !== null && typeof value === 'object' && !(value instanceof IdRef) && !(value instanceof RawJson)) {
    const copy: Record<string, unknown> = {}
    for (const key of Object.keys(value)) defineField(copy, key, clone((value as Record<string, unknown>)[key]))
    return copy
  }
  return value
}

export function applyMutations(value: unknown, mutations: Mutation[]): unknown {
  const root = clone(value)
  for (const mutation of mutations) {
    const all = slots(root)
    if (mutation.op === 'extra') {
      const objects = all.filter((s) => s.key === undefined && !Array.isArray(s.parent))
      const target = objects[mutation.at % Math.max(objects.length, 1)]
      if (target) defineField(target.parent as Record<string, unknown>, mutation.key, mutation.value)
      continue
    }
    const fields = all.filter((s) => s.key !== undefined)
    const target = fields[mutation.at % Math.max(fields.length, 1)]
    if (!target || target.key === undefined) continue
    if (mutation.op === 'drop') {
      if (Array.isArray(target.parent)) target.parent.splice(target.key as number, 1)
      else Reflect.deleteProperty(target.parent, target.key)
    } else {
      const replacement = mutation.value
      if (Array.isArray(target.parent)) target.parent[target.key as number] = replacement
      else defineField(target.parent, target.key as string, replacement)
    }
  }
  return root
}

/** A JSON body for a schema: valid, valid then broken in one to three places, or any JSON at all. */
export function jsonBodyArb(schema: JsonSchema | undefined): fc.Arbitrary<BodyPart> {
  const valid = schema ? validValueArb(schema) : fc.constant({})
  const value = fc.oneof(
    { weight: 2, arbitrary: valid },
    { weight: 6, arbitrary: fc.tuple(valid, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([v, m]) => applyMutations(v, m)) },
    { weight: 2, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, [], {}, '', 0, true, 'closed', [{}]) },
  )
  return value.map((v): BodyPart => ({ kind: 'json', value: v }))
}

const RAW_BODIES = [
  '', ' ', '\n', '{', '}', '{"', '{"a":}', '{"a":1,}', "{'a':1}", 'null', 'true', '"str"', '[]', '{}', '\ufeff{}',
  '{"a":1}{"b":2}', '{"a":1}\n{"a":2}', '{"a":1} x', 'name=x&max_load=1', '<xml/>', '\u0000', 'NaN', '{"a":NaN}',
  '{"a":Infinity}', '{"a":undefined}', '[1,2', '{"__proto__":{"x":1}}', '{"a":{"__proto__":{"x":1}}}',
  '{"constructor":{"prototype":{"x":1}}}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"a":"\\x41"}', '{"a":01}',
  '{"status":"closed","status":"active"}', '{"name":"a","name":" "}',
]

/** A body that is not JSON, or JSON broken in its text: any text, any bytes, a valid body cut short. */
export function rawBodyArb(schema: JsonSchema | undefined): fc.Arbitrary<BodyPart> {
  const valid = schema ? validValueArb(schema) : fc.constant({})
  return fc.oneof(
    fc.constantFrom(...RAW_BODIES).map((text): BodyPart => ({ kind: 'text', text })),
    fc.string().map((text): BodyPart => ({ kind: 'text', text })),
    fc.string({ unit: 'binary' }).map((text): BodyPart => ({ kind: 'text', text })),
    fc.uint8Array({ maxLength: 200 }).map((bytes): BodyPart => ({ kind: 'bytes', bytes })),
    fc.tuple(valid, fc.nat()).map(([value, cut]): BodyPart => ({ kind: 'truncated', value, cut })),
    valid.map((value): BodyPart => ({ kind: 'json', value })),
  )
}

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json;charset=utf-16le',
  'application/json; charset=latin1', 'application/json; charset=nonsense', 'APPLICATION/JSON', 'Application/Json',
  'application/json;', 'application/json ; x=y', 'application/json; charset="utf-8"', 'application/jsonx',
  'application/json-patch+json', 'application/merge-patch+json', 'application/problem+json', 'application/vnd.api+json',
  'text/json', 'text/plain', 'text/plain; charset=utf-8', 'text/html', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz', 'multipart/form-data', 'application/octet-stream', 'application/xml', '*/*',
  'application/*', '', ';', ' ', 'json', 'application/json, text/plain', 'application/json\tcharset=utf-8',
]

export const contentTypeArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: fc.constant(null) },
  // Header values can hold any visible ASCII; control characters would be refused by the client itself.
  { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }) },
)

// ---------------------------------------------------------------------------------------------------
// Query strings and paths

/**
 * Integers as text at the edges of a schema: each side of its minimum and maximum, and where it has no
 * maximum, the sizes where storage gives up (32 and 64 bits, doubles, far beyond).
 */
export function integerEdgeText(schema: JsonSchema): fc.Arbitrary<string> {
  const edges: number[] = []
  for (const bound of [schema.minimum, schema.maximum] as (number | undefined)[]) {
    if (bound !== undefined) edges.push(bound - 1, bound, bound + 1)
  }
  const beyond =
    schema.maximum === undefined
      ? ['2147483647', '2147483648', '4294967296', '9007199254740993', '9223372036854775807', '9223372036854775808', '18446744073709551616', `1${'0'.repeat(30)}`]
      : []
  return fc.constantFrom(...edges.map(String), ...beyond)
}

function queryValueArb(name: string, schema: JsonSchema | undefined): fc.Arbitrary<IdRef | string> {
  const fuzz = idTextArb(entityOf(name))
  if (!schema) return fuzz
  if (schema.type === 'integer') return fc.oneof({ weight: 3, arbitrary: integerEdgeText(schema) }, { weight: 2, arbitrary: fuzz })
  if (schema.type === 'boolean') {
    return fc.oneof(fc.constantFrom('true', 'false', '1', '0', 'TRUE', 'False', 'yes', 'no', 'on', '', 'null'), fuzz)
  }
  const enumValues = (schema.anyOf as JsonSchema[] | undefined)?.flatMap((s) => (s.enum ?? []) as string[]) ?? []
  if (enumValues.length > 0) return fc.oneof(fc.constantFrom(...enumValues, 'ACTIVE', ' active', 'closed ', 'pending'), fuzz)
  return fuzz
}

/** Pairs, sometimes with one key given again with another value (which parsers turn into an array). */
function pairsArb(pairArb: fc.Arbitrary<[string, IdRef | string]>, valueOf: (key: string) => fc.Arbitrary<IdRef | string>): fc.Arbitrary<[string, IdRef | string][]> {
  return fc.array(pairArb, { minLength: 1, maxLength: 4 }).chain((pairs) =>
    fc
      .option(fc.nat().chain((n) => valueOf(pairs[n % pairs.length]![0]).map((value): [string, IdRef | string] => [pairs[n % pairs.length]![0], value])), { freq: 3 })
      .map((repeat) => (repeat ? [...pairs, repeat] : pairs)),
  )
}

/** Query strings: the route's own keys with any values, unknown and repeated keys, broken encoding. */
export function queryArb(route: RouteSpec, allQueryParams: Map<string, JsonSchema>): fc.Arbitrary<QueryPart> {
  const ownKeys = route.queryParams.map((p) => p.name)
  const keyArb = fc.oneof(
    ...(ownKeys.length > 0 ? [{ weight: 5, arbitrary: fc.constantFrom(...ownKeys) }] : []),
    { weight: 2, arbitrary: fc.constantFrom(...allQueryParams.keys()) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'skip[]', 'limit[0]', 'status[a]', 'a.b', '', 'x') },
    { weight: 1, arbitrary: fc.string() },
  )
  const valueOf = (key: string) => queryValueArb(key, allQueryParams.get(key))
  const pairArb = keyArb.chain((key) => valueOf(key).map((value): [string, IdRef | string] => [key, value]))
  return fc.oneof(
    { weight: 6, arbitrary: pairsArb(pairArb, valueOf).map((pairs): QueryPart => ({ kind: 'pairs', pairs })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom('&', '&&', '=', '==', 'skip', 'skip=', '=1', 'skip=%', 'limit=%zz', 'a[b]=1', 'skip[]=1&skip[]=2', 'limit=1&limit', '%26=%3D', '?', 'skip=1=2', 'limit=+5', 'limit=5%00'),
          fc.string({ unit: visibleAscii.filter((c) => c !== '#') }),
        )
        .map((text): QueryPart => ({ kind: 'raw', text })),
    },
  )
}

/**
 * Query keys a route does not document: the keys other routes document (with values those routes
 * accept, or any), JavaScript's own names, anything. The route must answer as if they were absent.
 */
export function undocumentedQueryArb(route: RouteSpec, allQueryParams: Map<string, JsonSchema>): fc.Arbitrary<[string, IdRef | string][]> {
  const own = new Set(route.queryParams.map((p) => p.name))
  const foreign = [...allQueryParams.keys()].filter((key) => !own.has(key))
  const valueOf = (key: string): fc.Arbitrary<IdRef | string> => {
    const schema = allQueryParams.get(key)
    const entity = entityOf(key)
    if (entity) return fc.oneof(idRefArb(entity, ['existing']), queryValueArb(key, schema))
    return schema ? fc.oneof(validValueArb(schema, key).map(String), queryValueArb(key, schema)) : idTextArb(undefined)
  }
  const keyArb = fc.oneof(
    ...(foreign.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...foreign) }] : []),
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'x', 'id', 'name', 'q', 'sort', 'order') },
    { weight: 1, arbitrary: fc.string({ minLength: 1 }) },
  ).filter((key) => !own.has(key))
  return pairsArb(keyArb.chain((key) => valueOf(key).map((value): [string, IdRef | string] => [key, value])), valueOf)
}

/** A valid query for a route: some of its own keys with values it accepts, usually none. */
export function validQueryArb(route: RouteSpec): fc.Arbitrary<QueryPart> {
  if (route.queryParams.length === 0) return fc.constant({ kind: 'pairs', pairs: [] })
  const pairArb = fc.constantFrom(...route.queryParams).chain(({ name, schema }) => {
    const value = entityOf(name) ? idRefArb(entityOf(name)!, ['existing']) : validValueArb(schema, name).map(String)
    return value.map((v): [string, IdRef | string] => [name, v])
  })
  return fc.option(fc.array(pairArb, { maxLength: 2 }), { freq: 2 }).map((pairs): QueryPart => ({ kind: 'pairs', pairs: pairs ?? [] }))
}

/** Path parameters for a template: fuzzed (any id text, raw segments) or the id of a row that exists. */
export function pathArb(route: RouteSpec, fuzz: boolean): fc.Arbitrary<Record<string, PathValue>> {
  const entities = pathParamEntities(route.template)
  const model: Record<string, fc.Arbitrary<PathValue>> = {}
  for (const { name } of route.pathParams) {
    const entity = entities[name]
    model[name] = fuzz
      ? fc.oneof({ weight: 8, arbitrary: idTextArb(entity) }, { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS).map((t) => new RawSegment(t)) })
      : entity
        ? idRefArb(entity, ['existing', 'existing', 'existing', 'active', 'closed', 'deleted', 'missing'])
        : fc.constant('1')
  }
  return fc.record(model)
}

/**
 * Values for the route's documented headers. Valid ones come from a few reused keys as well as fresh
 * ones, so that repeats of a key with the same or another body happen; fuzzed ones break the documented
 * format (spaces, Latin-1, too long, empty).
 */
export function headersArb(route: RouteSpec, fuzz: boolean): fc.Arbitrary<Record<string, string>> {
  const model: Record<string, fc.Arbitrary<string | undefined>> = {}
  for (const { name, schema } of route.headerParams) {
    const maxLength = (schema.maxLength as number | undefined) ?? 255
    const valid = fc.oneof(fc.constantFrom('key-1', 'key-2', 'key-3'), fc.uuid(), fc.string({ unit: visibleAscii, minLength: 1, maxLength: Math.min(maxLength, 40) }))
    const broken = fc.oneof(
      fc.constantFrom('', ' ', 'a b', ' key-1', 'key-1 ', 'ключ', 'café', '\t', 'x'.repeat(maxLength), 'x'.repeat(maxLength + 1)),
      fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 300 }),
    )
    model[name] = fc.option(fuzz ? fc.oneof(valid, broken) : valid, { freq: 2, nil: undefined })
  }
  return fc.record(model).map((headers) => Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined)))
}

/** A valid-looking request for a route; each part can be swapped for a fuzzed one by the caller. */
export function requestArb(
  route: RouteSpec,
  parts: {
    path?: boolean
    query?: fc.Arbitrary<QueryPart>
    body?: fc.Arbitrary<BodyPart>
    headers?: boolean
    contentType?: fc.Arbitrary<string | null | undefined>
  },
): fc.Arbitrary<GeneratedRequest> {
  const body: fc.Arbitrary<BodyPart> = parts.body ?? (route.body ? validValueArb(route.body).map((value): BodyPart => ({ kind: 'json', value })) : fc.constant({ kind: 'none' }))
  return fc.record({
    method: fc.constant(route.method),
    template: fc.constant(route.template),
    path: pathArb(route, parts.path ?? false),
    query: parts.query ?? validQueryArb(route),
    body,
    headers: headersArb(route, parts.headers ?? false),
    contentType: parts.contentType ?? fc.constant(undefined),
  })
}
