import type { FastifyError } from 'fastify'
import type { FieldProblem } from './schemas.js'

type ValidationProblem = NonNullable<FastifyError['validation']>[number]

/** Where a problem is, named as FastAPI names it (Fastify says params, querystring, headers). */
const LOCATIONS: Record<string, string> = { params: 'path', querystring: 'query', headers: 'header', body: 'body' }

/** The patterns of our schemas, in words. */
const PATTERNS: Record<string, string> = {
  '^[\\x21-\\x7E]+$': 'must be visible ASCII characters, without spaces',
}

const TYPES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a list',
  null: 'null',
}

/**
 * The validator's problems as FastAPI clients read them: one entry per field (a union's branches and the
 * duplicates of one mistake become one), located by path/query/header/body, in plain words naming what is allowed.
 * `input` is the part of the request that was validated, to tell a blank text from one with control characters.
 */
export function toFieldProblems(context: string, problems: readonly ValidationProblem[], input: unknown): FieldProblem[] {
  const part = LOCATIONS[context] ?? context
  const entries: FieldProblem[] = []
  const byField = new Map<string, ValidationProblem[]>()
  for (const problem of problems) {
    const path = pathOf(problem.instancePath)
    const { requiredProperties } = problem.params as { requiredProperties?: string[] }
    if (problem.keyword === 'required' && requiredProperties) {
      for (const name of requiredProperties) entries.push({ loc: [part, ...path, name], msg: 'field required', type: 'missing' })
    } else if (problem.keyword !== 'anyOf') {
      byField.set(problem.instancePath, [...(byField.get(problem.instancePath) ?? []), problem])
    }
  }
  for (const [pointer, group] of byField) {
    const path = pathOf(pointer)
    const value = path.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], input)
    entries.push({ loc: [part, ...path], ...describe(group, value) })
  }
  return entries
}

/** One field's problems as one entry; a union's branches (e.g. text or null) as one sentence. */
function describe(group: ValidationProblem[], value: unknown): Omit<FieldProblem, 'loc'> {
  const branches = group.filter((problem) => /\/anyOf\/\d+$/.test(problem.schemaPath))
  const [first] = group
  if (!first) return { msg: 'is invalid', type: 'invalid' }
  if (branches.length === 0) return { msg: inPlainWords(first, value), type: first.keyword }
  const isNull = (problem: ValidationProblem) => problem.keyword === 'type' && (problem.params as { type?: unknown }).type === 'null'
  const others = branches.filter((problem) => !isNull(problem))
  const consts = others.filter((problem) => problem.keyword === 'const')
  let msg =
    consts.length === others.length && consts.length > 0
      ? `must be ${orList(consts.map((problem) => (problem.params as { allowedValue: unknown }).allowedValue))}`
      : others.map((problem) => inPlainWords(problem, value)).join(', or ')
  if (others.length < branches.length) msg = msg.startsWith('must be ') ? `${msg} or null` : `${msg}, or be null`
  return { msg, type: (others[0] ?? first).keyword }
}

function inPlainWords(problem: ValidationProblem, value: unknown): string {
  const { params } = problem
  const limit = params.limit as number
  switch (problem.keyword) {
    case 'type':
      return `must be ${[params.type].flat().map((type) => TYPES[String(type)] ?? String(type)).join(' or ')}`
    case 'const':
      return `must be ${orList([params.allowedValue])}`
    case 'enum':
      return `must be ${orList(params.allowedValues as unknown[])}`
    case 'format':
      return formatInPlainWords(String(params.format), value)
    case 'minimum':
      return `must be ${limit} or more`
    case 'maximum':
      return `must be ${limit} or less`
    case 'exclusiveMinimum':
      return `must be more than ${limit}`
    case 'exclusiveMaximum':
      return `must be less than ${limit}`
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters long`
    case 'maxLength':
      return `must be at most ${limit} characters long`
    case 'minItems':
      return `must have at least ${limit} items`
    case 'maxItems':
      return `must have at most ${limit} items`
    case 'pattern':
      return PATTERNS[String(params.pattern)] ?? `must match the pattern ${String(params.pattern)}`
    default:
      return problem.message ?? 'is invalid'
  }
}

function formatInPlainWords(format: string, value: unknown): string {
  const controlCharacters = 'must not contain control characters such as NUL, tab or newline'
  switch (format) {
    case 'non-blank':
      return typeof value === 'string' && value.trim() === '' ? 'must not be blank' : controlCharacters
    case 'plain-text':
      return controlCharacters
    case 'email':
      return 'must be an e-mail address (name@example.com)'
    case 'date-time':
      return 'must be a date and time, ISO-8601'
    case 'webhook-url':
      return 'must be an http or https URL, without a user name or password'
    default:
      return `must be in the ${format} format`
  }
}

/** 'a', 'a' or 'b', 'a', 'b' or 'c'. */
function orList(values: unknown[]): string {
  const quoted = values.map((value) => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value)))
  const last = quoted.pop() ?? ''
  return quoted.length === 0 ? last : `${quoted.join(', ')} or ${last}`
}

function pathOf(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => {
      const text = segment.replace(/~1/g, '/').replace(/~0/g, '~')
      return /^\d+$/.test(text) ? Number(text) : text
    })
}
