import type { Insertable, Selectable } from 'kysely'
import type { Db, LeadsTable } from '../db/database.js'
import type { Paging } from '../http/schemas.js'

export type LeadRow = Selectable<LeadsTable>

/**
 * Finds the lead by external_id or creates it, in one statement, so concurrent first contacts make one lead.
 * A repeat contact fills in a missing phone or email and never blanks one.
 */
export async function upsertLead(db: Db, values: Insertable<LeadsTable>): Promise<LeadRow> {
  return db
    .insertInto('leads')
    .values(values)
    .onConflict((oc) =>
      oc.column('external_id').doUpdateSet((eb) => ({
        phone: eb.fn.coalesce('leads.phone', 'excluded.phone'),
        email: eb.fn.coalesce('leads.email', 'excluded.email'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findLeadById(db: Db, id: number): Promise<LeadRow | undefined> {
  return db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function listLeads(db: Db, { skip, limit }: Required<Paging>): Promise<LeadRow[]> {
  return db.selectFrom('leads').selectAll().orderBy('id').offset(skip).limit(limit).execute()
}
