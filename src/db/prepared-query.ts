import type { CompiledQuery, Compilable } from 'kysely'
import type { Db } from './database.js'

const PLACEHOLDER = '\u0000prepared:'

/**
 * A query built and compiled once per kind of database, then run with new values. On the hot path Kysely's
 * building and compiling cost more than SQLite running the statement, so those queries are prepared here.
 *
 * `build` receives stand-ins for its parameters: use them only as values (never in conditions of the
 * builder code itself), so the compiled SQL is the same for every call.
 */
export function preparedQuery<P extends object, R>(build: (db: Db, params: P) => Compilable<R>) {
  const compiled = new Map<unknown, { query: CompiledQuery<R>; keys: (keyof P | undefined)[] }>()

  return async (db: Db, values: P = {} as P): Promise<R[]> => {
    const dialect = db.getExecutor().adapter.constructor
    let entry = compiled.get(dialect)
    if (!entry) {
      const standIns = new Proxy({}, { get: (_, key) => `${PLACEHOLDER}${String(key)}` }) as P
      const query = build(db, standIns).compile()
      const keys = query.parameters.map((value) =>
        typeof value === 'string' && value.startsWith(PLACEHOLDER) ? (value.slice(PLACEHOLDER.length) as keyof P) : undefined,
      )
      entry = { query, keys }
      compiled.set(dialect, entry)
    }
    const { query, keys } = entry
    const parameters = query.parameters.map((value, i) => {
      const key = keys[i]
      return key === undefined ? value : values[key]
    })
    return (await db.executeQuery<R>({ ...query, parameters })).rows
  }
}
