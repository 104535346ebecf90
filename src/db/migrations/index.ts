import type { Migration } from 'kysely'
import * as initialSchema from './0001-initial-schema.js'

/** Every migration, in order; a static list so the compiled build and the tests load the same ones. */
export const migrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
}
