import type { Selectable } from 'kysely'
import { isPostgres, type ContactsTable, type Db } from '../db/database.js'
import type { Candidate } from '../distribution/pick-operator.js'
import { findEligibleCandidates } from '../distribution/weights.repository.js'
import { insertEvent } from '../events/events.repository.js'
import { findLastOperatorOfLead, upsertLead, type LeadFields } from '../leads/leads.repository.js'
import { takeOperatorSlot, type OperatorRow } from '../operators/operators.repository.js'
import { findSourceById, type SourceRow } from '../sources/sources.repository.js'
import { addToTally } from './contact-tallies.repository.js'
import { insertContact } from './contacts.repository.js'
import * as postgres from './registration.postgres.js'

// The statements of a registration. PostgreSQL runs each step as one statement (one round trip each, and the
// writes atomic without a transaction). SQLite has no data-modifying CTEs, and its statements run in process,
// where several small ones cost less than one wide join: there a step is several statements in the caller's
// transaction.

export interface SourceCandidates {
  source: SourceRow
  /** Operators of the source that may take a contact now (distribution/eligibility.ts). */
  candidates: Candidate[]
  /** With prefer_last_operator on the source: the lead's last operator, tried first when it is a candidate. */
  preferred: number | null
}

// A type alias, not an interface: preparedQuery takes its parameters as a record.
export type NewRegistration = {
  externalId: string
  phone: string | null
  email: string | null
  sourceId: number
  /** null stores the contact waiting. */
  operatorId: number | null
  createdAt: string
  /** createdAt when it goes to an operator, else null; queuedAt the other way round. */
  assignedAt: string | null
  queuedAt: string | null
  /** Recorded in its contact.created event: sticky when it went to the lead's last operator. */
  reason: 'registration' | 'sticky'
  actor: number | null
}

export interface StoredRegistration {
  contact: Selectable<ContactsTable>
  lead: LeadFields
  operator: OperatorRow | null
}

/** The source, its eligible operators and the lead's preferred one; undefined when the source does not exist. */
export function findSourceCandidates(db: Db, sourceId: number, externalId: string): Promise<SourceCandidates | undefined> {
  return isPostgres(db) ? postgres.findSourceCandidatesInOneQuery(db, sourceId, externalId) : findSourceThenCandidates(db, sourceId, externalId)
}

async function findSourceThenCandidates(db: Db, sourceId: number, externalId: string): Promise<SourceCandidates | undefined> {
  const source = await findSourceById(db, sourceId)
  if (!source) return undefined
  const preferred = source.prefer_last_operator ? await findLastOperatorOfLead(db, externalId) : null
  return { source, candidates: await findEligibleCandidates(db, sourceId), preferred }
}

/**
 * The writes of a registration: takes one slot of the operator, finds or creates the lead (filling in a missing
 * phone or email), inserts the contact, counts it in the tallies and records its contact.created event. Answers
 * undefined, having written nothing, when the operator is full, inactive or gone.
 */
export function insertRegistration(db: Db, values: NewRegistration): Promise<StoredRegistration | undefined> {
  return isPostgres(db) ? postgres.insertRegistrationInOneStatement(db, values) : insertTableByTable(db, values)
}

async function insertTableByTable(db: Db, values: NewRegistration): Promise<StoredRegistration | undefined> {
  const { operatorId, sourceId, createdAt } = values
  const operator = operatorId === null ? null : await takeOperatorSlot(db, operatorId)
  if (operator === undefined) return undefined
  const lead = await upsertLead(db, {
    external_id: values.externalId,
    phone: values.phone,
    email: values.email,
    created_at: createdAt,
    last_operator_id: operatorId,
  })
  const contact = await insertContact(db, {
    lead_id: lead.id,
    source_id: sourceId,
    operator_id: operatorId,
    status: 'active',
    created_at: createdAt,
    closed_at: null,
    assigned_at: values.assignedAt,
    queued_at: values.queuedAt,
  })
  await addToTally(db, sourceId, operatorId, { total: 1, active: 1 })
  await insertEvent(db, {
    type: 'contact.created',
    reason: values.reason,
    occurred_at: createdAt,
    contact_id: contact.id,
    lead_id: lead.id,
    source_id: sourceId,
    operator_id: operatorId,
    previous_operator_id: null,
    actor: values.actor,
  })
  return { contact, lead, operator }
}
