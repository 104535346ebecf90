import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../db/database.js'
import { countActiveApiKeys, findPrincipalByHash, hashApiKey, touchApiKey } from './api-keys.service.js'
import type { Principal } from './api-keys.schemas.js'

/** How long a key check is remembered: a key created, revoked or first added takes effect within this. */
export const DEFAULT_AUTH_CACHE_TTL_MS = 5_000
/** last_used_at is written at most this often per key, so reads never turn into a write each. */
export const LAST_USED_INTERVAL_MS = 60_000
const MAX_CACHED_KEYS = 10_000

interface Options {
  db: Db
  log: FastifyBaseLogger
  cacheTtlMs: number
  now?: () => number
}

/**
 * Checks presented keys, with the hot path in mind: a valid key is looked up once per cacheTtlMs (one
 * prepared query by its hash through the unique index), and whether any key exists at all is counted at
 * most once per cacheTtlMs. Unknown keys are never cached, so a new key works at once.
 */
export class Authenticator {
  readonly #db: Db
  readonly #log: FastifyBaseLogger
  readonly #ttlMs: number
  readonly #now: () => number
  readonly #principals = new Map<string, { principal: Principal; until: number }>()
  #keysExist: { value: Promise<boolean>; until: number } | undefined
  readonly #lastTouched = new Map<number, number>()
  readonly #touches = new Set<Promise<void>>()

  constructor({ db, log, cacheTtlMs, now = Date.now }: Options) {
    this.#db = db
    this.#log = log
    this.#ttlMs = cacheTtlMs
    this.#now = now
  }

  /** Whether at least one unrevoked key exists (while none does, a loopback server stays open). */
  async keysExist(): Promise<boolean> {
    const now = this.#now()
    if (this.#keysExist === undefined || this.#keysExist.until <= now) {
      const value = countActiveApiKeys(this.#db).then((count) => count > 0)
      this.#keysExist = { value, until: now + this.#ttlMs }
      // A failed count is not remembered: the next request asks the database again.
      value.catch(() => {
        if (this.#keysExist?.value === value) this.#keysExist = undefined
      })
    }
    return this.#keysExist.value
  }

  /** The principal of an unrevoked key, or null. */
  async authenticate(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key)
    const now = this.#now()
    const cached = this.#principals.get(hash)
    let principal = cached && cached.until > now ? cached.principal : null
    if (!principal) {
      this.#principals.delete(hash)
      principal = await findPrincipalByHash(this.#db, hash)
      if (principal && this.#ttlMs > 0) {
        const oldest = this.#principals.keys().next()
        if (this.#principals.size >= MAX_CACHED_KEYS && !oldest.done) this.#principals.delete(oldest.value)
        this.#principals.set(hash, { principal, until: now + this.#ttlMs })
      }
    }
    if (principal) this.#noteUse(principal.keyId, now)
    return principal
  }

  /** Waits for the last_used_at writes still running (before the database closes). */
  async close(): Promise<void> {
    await Promise.all(this.#touches)
  }

  /** Records the use off the request's path: a failure is logged and never fails the request. */
  #noteUse(keyId: number, now: number): void {
    const last = this.#lastTouched.get(keyId)
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return
    this.#lastTouched.set(keyId, now)
    const touch = touchApiKey(this.#db, keyId)
      .catch((error: unknown) => {
        this.#log.warn({ err: error, keyId }, 'could not record the API key use')
      })
      .finally(() => this.#touches.delete(touch))
    this.#touches.add(touch)
  }
}
