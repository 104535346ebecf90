import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify'
import type { TSchema } from 'typebox'

const INTEGER_TEXT = /^[+-]?\d+$/

/**
 * TypeBox validation, with one guard: path and query integers must be written as integers. TypeBox's
 * conversion truncates text such as "1.5" or "2.9" to 1 or 2, so `DELETE /operators/1.9` would delete
 * operator 1; such values answer 422 instead.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  const validate = TypeBoxValidatorCompiler(route)
  if (route.httpPart === 'body') return validate
  const properties = (route.schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {}
  const integerKeys = Object.keys(properties).filter((key) => properties[key]?.type === 'integer')
  if (integerKeys.length === 0) return validate

  return (value) => {
    const input = value as Record<string, unknown> | null | undefined
    const badKeys = integerKeys.filter((key) => {
      const text = input?.[key]
      return typeof text === 'string' && !INTEGER_TEXT.test(text)
    })
    if (badKeys.length === 0) return validate(value)
    const errors: FastifySchemaValidationError[] = badKeys.map((key) => ({
      keyword: 'type',
      instancePath: `/${key}`,
      schemaPath: `#/properties/${key}/type`,
      params: { type: 'integer' },
      message: 'must be integer',
    }))
    // The other fields are still checked, so every problem is reported at once.
    const rest = validate(Object.fromEntries(Object.entries(input ?? {}).filter(([key]) => !badKeys.includes(key))))
    const others = typeof rest === 'object' && 'error' in rest && Array.isArray(rest.error) ? (rest.error) : []
    return { error: [...errors, ...others.filter((problem) => !isAboutOnly(problem, badKeys))] }
  }
}

/** A problem that only says a guarded key is missing (it was taken out to check the others). */
function isAboutOnly(problem: FastifySchemaValidationError, keys: string[]): boolean {
  const missing = (problem.params as { requiredProperties?: string[] }).requiredProperties
  return problem.keyword === 'required' && missing !== undefined && missing.every((key) => keys.includes(key))
}
