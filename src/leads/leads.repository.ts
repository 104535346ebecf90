import type { Insertable, Selectable } from 'kysely'
import type { Db, LeadsTable } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'
import type { Paging } from '../http/schemas.js'

export type LeadRow = Selectable<LeadsTable>

/** A lead as the API shows it (last_operator_id is routing state, not part of it). */
export type LeadFields = Pick<LeadRow, 'id' | 'external_id' | 'phone' | 'email' | 'created_at'>

/** The lead's columns of a row that joins it, selected as lead_id, lead_external_id, lead_phone, ... */
export function leadOfJoinedRow(row: {
  lead_id: number
  lead_external_id: string
  lead_phone: string | null
  lead_email: string | null
  lead_created_at: Date | string
}): LeadFields {
  return { id: row.lead_id, external_id: row.lead_external_id, phone: row.lead_phone, email: row.lead_email, created_at: row.lead_created_at }
}

/**
 * Finds the lead by external_id or creates it, in one statement, so concurrent first contacts make one lead.
 * A repeat contact fills in a missing phone or email and never blanks one.
 */
export async function upsertLead(db: Db, values: LeadInsert): Promise<LeadRow> {
  const [row] = await insertOrFillLead(db, values)
  if (!row) throw new Error('lead upsert returned no row')
  return row
}

/** last_operator_id: the operator the new contact went to, null when it waits (the lead keeps its last one). */
type LeadInsert = Required<Pick<Insertable<LeadsTable>, 'external_id' | 'phone' | 'email' | 'created_at' | 'last_operator_id'>>

const insertOrFillLead = preparedQuery((db, p: LeadInsert) =>
  db
    .insertInto('leads')
    .values({ external_id: p.external_id, phone: p.phone, email: p.email, created_at: p.created_at, last_operator_id: p.last_operator_id })
    .onConflict((oc) =>
      oc.column('external_id').doUpdateSet((eb) => ({
        phone: eb.fn.coalesce('leads.phone', 'excluded.phone'),
        email: eb.fn.coalesce('leads.email', 'excluded.email'),
        last_operator_id: eb.fn.coalesce('excluded.last_operator_id', 'leads.last_operator_id'),
      })),
    )
    .returningAll(),
)

/** The operator who most recently got one of the lead's contacts (sticky routing), by external_id. */
export async function findLastOperatorOfLead(db: Db, externalId: string): Promise<number | null> {
  return (await selectLastOperator(db, { externalId }))[0]?.last_operator_id ?? null
}

const selectLastOperator = preparedQuery((db, p: { externalId: string }) =>
  db.selectFrom('leads').select('last_operator_id').where('external_id', '=', p.externalId),
)

export async function findLeadById(db: Db, id: number): Promise<LeadRow | undefined> {
  return db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function listLeads(db: Db, { skip, limit }: Required<Paging>): Promise<LeadRow[]> {
  return db.selectFrom('leads').selectAll().orderBy('id').offset(skip).limit(limit).execute()
}
