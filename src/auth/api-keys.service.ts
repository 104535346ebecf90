import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import Value from 'typebox/value'
import type { Db } from '../db/database.js'
import { nowIso, toIso, toIsoOrNull } from '../db/values.js'
import { InvalidFieldError, NotFoundError } from '../errors.js'
import { findSourceById } from '../sources/sources.repository.js'
import * as apiKeys from './api-keys.repository.js'
import { ApiKeyCreate, type ApiKey, type Principal } from './api-keys.schemas.js'

const KEY_PREFIX = 'crm_'
export const BOOTSTRAP_KEY_NAME = 'bootstrap (ADMIN_API_KEY)'

/** 256 random bits, URL-safe: `crm_` and 43 base64url characters. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`
}

/** SHA-256 is the right hash for random keys of this length: nothing to brute-force, and it costs microseconds. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** What a listing shows of a key: `crm_` and 8 of its 43 random characters; 4 characters of a chosen ADMIN_API_KEY. */
function keyPrefixOf(key: string): string {
  return key.startsWith(KEY_PREFIX) ? key.slice(0, KEY_PREFIX.length + 8) : key.slice(0, 4)
}

export function toApiKey(row: apiKeys.ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    source_ids: parseSourceIds(row.source_ids),
    key_prefix: row.key_prefix,
    created_at: toIso(row.created_at),
    last_used_at: toIsoOrNull(row.last_used_at),
    revoked_at: toIsoOrNull(row.revoked_at),
  }
}

function parseSourceIds(text: string | null): number[] | null {
  return text === null ? null : (JSON.parse(text) as number[])
}

/** Creates a key and answers it with the key itself: the only time it exists outside the caller's hands. */
export async function createApiKey(db: Db, input: ApiKeyCreate): Promise<{ key: string; apiKey: ApiKey }> {
  const problem = Value.Errors(ApiKeyCreate, input)[0]
  if (problem) throw new InvalidFieldError(problem.instancePath.split('/').slice(1), problem.message, problem.keyword)
  const sourceIds = input.source_ids ?? null
  if (sourceIds !== null && input.role !== 'ingest') {
    throw new InvalidFieldError(['source_ids'], 'only ingest keys can be limited to sources', 'role')
  }
  for (const id of sourceIds ?? []) {
    if (!(await findSourceById(db, id))) throw new NotFoundError('Source', id)
  }
  const key = generateApiKey()
  const row = await apiKeys.insertApiKey(db, {
    name: input.name.trim(),
    role: input.role,
    source_ids: sourceIds === null ? null : JSON.stringify([...new Set(sourceIds)].sort((a, b) => a - b)),
    key_hash: hashApiKey(key),
    key_prefix: keyPrefixOf(key),
    created_at: nowIso(),
  })
  if (!row) throw new Error('a freshly generated key collided with a stored one')
  return { key, apiKey: toApiKey(row) }
}

export async function listApiKeys(db: Db): Promise<ApiKey[]> {
  return (await apiKeys.listApiKeys(db)).map(toApiKey)
}

/** Revoking twice changes nothing: the first revocation time stays. */
export async function revokeApiKey(db: Db, id: number): Promise<{ apiKey: ApiKey; alreadyRevoked: boolean }> {
  const revoked = await apiKeys.revokeApiKey(db, id, nowIso())
  const row = await apiKeys.findApiKeyById(db, id)
  if (!row) throw new NotFoundError('API key', id)
  return { apiKey: toApiKey(row), alreadyRevoked: !revoked }
}

export async function countActiveApiKeys(db: Db): Promise<number> {
  return apiKeys.countActiveApiKeys(db)
}

/**
 * Makes sure the ADMIN_API_KEY exists as an admin key. A revoked one stays revoked: revocation wins over the
 * environment, so a leaked bootstrap key cannot come back with a restart.
 */
export async function ensureBootstrapKey(db: Db, key: string): Promise<'created' | 'exists' | 'revoked'> {
  const hash = hashApiKey(key)
  const existing = await apiKeys.findApiKeyByHash(db, hash)
  if (existing) return existing.revoked_at === null ? 'exists' : 'revoked'
  const row = await apiKeys.insertApiKey(db, {
    name: BOOTSTRAP_KEY_NAME,
    role: 'admin',
    source_ids: null,
    key_hash: hash,
    key_prefix: keyPrefixOf(key),
    created_at: nowIso(),
  })
  return row ? 'created' : 'exists'
}

/** The principal of a presented key, or null when no unrevoked key matches it. */
export async function findPrincipalByHash(db: Db, hash: string): Promise<Principal | null> {
  const row = await apiKeys.findApiKeyByHash(db, hash)
  // The index found the row by equality; the constant-time comparison keeps the final check free of timing leaks.
  if (!row || row.revoked_at !== null || !timingSafeEqual(Buffer.from(row.key_hash, 'hex'), Buffer.from(hash, 'hex'))) return null
  return { keyId: row.id, role: row.role, sourceIds: parseSourceIds(row.source_ids) }
}

export async function touchApiKey(db: Db, id: number): Promise<void> {
  await apiKeys.touchApiKey(db, id, nowIso())
}
