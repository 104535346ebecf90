import type { Selectable } from 'kysely'
import { isPostgres, type ContactsTable, type Db } from '../db/database.js'
import { inTransaction, retryTransient } from '../db/transaction.js'
import { nowIso, toIso, toIsoOrNull } from '../db/values.js'
import { assignOperator } from '../distribution/assign-operator.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { NotFoundError } from '../errors.js'
import { toPage } from '../http/schemas.js'
import type { LeadRow } from '../leads/leads.repository.js'
import { toLead } from '../leads/leads.service.js'
import { releaseOperatorSlot, type OperatorRow } from '../operators/operators.repository.js'
import { toOperator } from '../operators/operators.service.js'
import type { SourceRow } from '../sources/sources.repository.js'
import { toSource } from '../sources/sources.service.js'
import { addToTally } from './contact-tallies.repository.js'
import * as contacts from './contacts.repository.js'
import type { Contact, ContactCreate, ContactQuery } from './contacts.schemas.js'
import { findSourceCandidates, insertRegistration } from './registration.repository.js'

interface ContactParts {
  contact: Selectable<ContactsTable>
  lead: LeadRow
  source: SourceRow
  operator: OperatorRow | null
}

function toContact({ contact, lead, source, operator }: ContactParts): Contact {
  return {
    id: contact.id,
    lead_id: contact.lead_id,
    source_id: contact.source_id,
    operator_id: contact.operator_id,
    status: contact.status,
    created_at: toIso(contact.created_at),
    closed_at: toIsoOrNull(contact.closed_at),
    lead: toLead(lead),
    source: toSource(source),
    operator: operator && toOperator(operator),
  }
}

function fromView(row: contacts.ContactViewRow): Contact {
  const { id, lead_id, source_id, operator_id, status, created_at, closed_at } = row
  const operator =
    operator_id === null
      ? null
      : {
          id: operator_id,
          name: row.operator_name ?? '',
          is_active: row.operator_is_active ?? 0,
          max_load: row.operator_max_load ?? 0,
          current_load: row.operator_current_load ?? 0,
          created_at: row.operator_created_at ?? created_at,
          deleted_at: row.operator_deleted_at ?? null,
        }
  return toContact({
    contact: { id, lead_id, source_id, operator_id, status, created_at, closed_at },
    lead: {
      id: lead_id,
      external_id: row.lead_external_id,
      phone: row.lead_phone,
      email: row.lead_email,
      created_at: row.lead_created_at,
    },
    source: { id: source_id, name: row.source_name, created_at: row.source_created_at },
    operator,
  })
}

/**
 * The hot path: finds or creates the lead, picks and claims an operator and stores the contact, so that a failure
 * leaves nothing behind and an acknowledged contact is committed. SQLite runs it in a transaction. On PostgreSQL
 * the writes are one statement, atomic on its own (registration.postgres.ts), so a registration is two round trips
 * without BEGIN and COMMIT; both run on one connection, as in a transaction, so a registration under way when the
 * server starts closing still finishes.
 */
export async function registerContact(db: Db, input: ContactCreate, random: RandomSource): Promise<Contact> {
  if (isPostgres(db)) return retryTransient(() => db.connection().execute((connection) => storeContact(connection, input, random)))
  return inTransaction(db, (trx) => storeContact(trx, input, random))
}

/** The registration itself, inside the caller's transaction if there is one (PostgreSQL needs none). */
export async function storeContact(db: Db, input: ContactCreate, random: RandomSource): Promise<Contact> {
  const found = await findSourceCandidates(db, input.source_id)
  if (!found) throw new NotFoundError('Source', input.source_id)
  const { source, candidates } = found
  const registration = {
    externalId: input.external_id.trim(),
    phone: input.phone ?? null,
    email: input.email ?? null,
    sourceId: source.id,
    createdAt: nowIso(),
  }
  const stored = await assignOperator(candidates, random, (operatorId) => insertRegistration(db, { ...registration, operatorId }))
  return toContact({ ...stored, source })
}

export async function getContact(db: Db, id: number): Promise<Contact> {
  const row = await contacts.findContactView(db, id)
  if (!row) throw new NotFoundError('Contact', id)
  return fromView(row)
}

export async function listContacts(db: Db, query: ContactQuery): Promise<Contact[]> {
  return (await contacts.listContactViews(db, query, toPage(query))).map(fromView)
}

/** Closes the contact and frees its operator's slot; closing a closed contact changes nothing. */
export async function closeContact(db: Db, id: number): Promise<Contact> {
  await inTransaction(db, async (trx) => {
    const closed = await contacts.closeActiveContact(trx, id, nowIso())
    if (!closed) {
      if (!(await contacts.contactExists(trx, id))) throw new NotFoundError('Contact', id)
      return
    }
    if (closed.operator_id !== null) await releaseOperatorSlot(trx, closed.operator_id)
    await addToTally(trx, closed.source_id, closed.operator_id, { total: 0, active: -1 })
  })
  return getContact(db, id)
}
