import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely'
import type BetterSqlite3 from 'better-sqlite3'

const STATEMENT_CACHE_SIZE = 200

/**
 * better-sqlite3 behind Kysely's SQLite interface, preparing each distinct SQL text once: Kysely prepares
 * every query it runs, which costs more than running the small statements of the hot path.
 */
export function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => sqlite.close(),
    prepare: (sql) => {
      let statement = statements.get(sql)
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear()
        statement = sqlite.prepare(sql)
        statements.set(sql, statement)
      }
      return statement
    },
  }
}

/**
 * Kysely's SQLite dialect, made safe for several processes on one database file (a rolling restart, a
 * second instance on the host):
 *
 * - Transactions take the write lock when they begin (BEGIN IMMEDIATE), not at their first write. With a
 *   deferred BEGIN, a transaction that has read and then writes while another process holds the lock
 *   fails at once with SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT (busy_timeout cannot wait out a lock upgrade).
 *   Every transaction here writes, so taking the lock up front costs nothing, and busy_timeout now makes
 *   the other process wait.
 * - Migrations run in one such transaction. SQLite does support transactional DDL, but Kysely's adapter
 *   says it does not, so its migrator would run without a transaction and with a no-op lock, and two
 *   processes starting on a new file could both apply the same migration.
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

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter()
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}
