import type { Selectable } from 'kysely'
import type { ContactsTable } from '../db/database.js'
import { toIso, toIsoOrNull } from '../db/values.js'
import { leadOfJoinedRow, type LeadFields } from '../leads/leads.repository.js'
import { toLead } from '../leads/leads.service.js'
import type { OperatorRow } from '../operators/operators.repository.js'
import { toOperator } from '../operators/operators.service.js'
import type { SourceRow } from '../sources/sources.repository.js'
import { toSource } from '../sources/sources.service.js'
import type { ContactViewRow } from './contacts.repository.js'
import type { Contact } from './contacts.schemas.js'

// A contact as the API shows it, from its rows: the one mapping of GET /contacts/{id}, the registration's answer
// and the contact a webhook delivery carries.

interface ContactParts {
  contact: Selectable<ContactsTable>
  lead: LeadFields
  source: SourceRow
  operator: OperatorRow | null
}

export function toContact({ contact, lead, source, operator }: ContactParts): Contact {
  return {
    id: contact.id,
    lead_id: contact.lead_id,
    source_id: contact.source_id,
    operator_id: contact.operator_id,
    status: contact.status,
    created_at: toIso(contact.created_at),
    closed_at: toIsoOrNull(contact.closed_at),
    assigned_at: toIsoOrNull(contact.assigned_at),
    lead: toLead(lead),
    source: toSource(source),
    operator: operator && toOperator(operator),
  }
}

export function fromView(row: ContactViewRow): Contact {
  const { id, lead_id, source_id, operator_id, status, created_at, closed_at, assigned_at, queued_at } = row
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
    contact: { id, lead_id, source_id, operator_id, status, created_at, closed_at, assigned_at, queued_at },
    lead: leadOfJoinedRow(row),
    source: {
      id: source_id,
      name: row.source_name,
      created_at: row.source_created_at,
      assign_waiting: row.source_assign_waiting,
      prefer_last_operator: row.source_prefer_last_operator,
    },
    operator,
  })
}

