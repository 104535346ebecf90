import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely'

/**
 * SQLite transactions that take the write lock when they begin (BEGIN IMMEDIATE), not at their first write.
 * With a deferred BEGIN, a transaction that has read and then writes while another process holds the lock
 * fails at once with SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT (busy_timeout cannot wait out a lock upgrade), so
 * two processes on one file (a rolling restart, a second instance) answered 500s. Every transaction here
 * writes, so taking the lock up front costs nothing, and busy_timeout now makes the other process wait.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig

  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config)
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}
