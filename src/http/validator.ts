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
    const errors: FastifySchemaValidationError[] = integerKeys
      .filter((key) => {
        const text = input?.[key]
        return typeof text === 'string' && !INTEGER_TEXT.test(text)
      })
      .map((key) => ({
        keyword: 'type',
        instancePath: `/${key}`,
        schemaPath: `#/properties/${key}/type`,
        params: { type: 'integer' },
        message: 'must be integer',
      }))
    return errors.length > 0 ? { error: errors } : validate(value)
  }
}
