import type { Selectable } from 'kysely'
import type { ContactsTable, Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import { nowIso, toIso, toIsoOrNull } from '../db/values.js'
import { assignOperator } from '../distribution/assign-operator.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { NotFoundError } from '../errors.js'
import { toPage } from '../http/schemas.js'
import { upsertLead, type LeadRow } from '../leads/leads.repository.js'
import { toLead } from '../leads/leads.service.js'
import { releaseOperatorSlot, type OperatorRow } from '../operators/operators.repository.js'
import { toOperator } from '../operators/operators.service.js'
import { findSourceById, type SourceRow } from '../sources/sources.repository.js'
import { toSource } from '../sources/sources.service.js'
import { addToTally } from './contact-tallies.repository.js'
import * as contacts from './contacts.repository.js'
import type { Contact, ContactCreate, ContactQuery } from './contacts.schemas.js'

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
 * The hot path: finds or creates the lead, picks and claims an operator and stores the contact, all in one
 * transaction, so a failure leaves nothing behind and an acknowledged contact is committed.
 */
export async function registerContact(db: Db, input: ContactCreate, random: RandomSource): Promise<Contact> {
  return inTransaction(db, (trx) => storeContact(trx, input, random))
}

/** The registration itself, inside the caller's transaction. */
export async function storeContact(trx: Db, input: ContactCreate, random: RandomSource): Promise<Contact> {
  const source = await findSourceById(trx, input.source_id)
  if (!source) throw new NotFoundError('Source', input.source_id)
  const now = nowIso()
  const lead = await upsertLead(trx, {
    external_id: input.external_id.trim(),
    phone: input.phone ?? null,
    email: input.email ?? null,
    created_at: now,
  })
  const operator = await assignOperator(trx, source.id, random)
  const contact = await contacts.insertContact(trx, {
    lead_id: lead.id,
    source_id: source.id,
    operator_id: operator?.id ?? null,
    status: 'active',
    created_at: now,
    closed_at: null,
  })
  await addToTally(trx, source.id, contact.operator_id, { total: 1, active: 1 })
  return toContact({ contact, lead, source, operator: operator ?? null })
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
