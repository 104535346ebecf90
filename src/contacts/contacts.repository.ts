import type { Insertable, Selectable } from 'kysely'
import type { ContactsTable, Db } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'
import type { Paging } from '../http/schemas.js'

export interface ContactFilters {
  lead_id?: number | undefined
  source_id?: number | undefined
  operator_id?: number | undefined
  status?: 'active' | 'closed' | undefined
  assigned?: boolean | undefined
}

type NewContact = Required<Insertable<ContactsTable>>

export async function insertContact(db: Db, values: Omit<NewContact, 'id'>): Promise<Selectable<ContactsTable>> {
  const [row] = await insertContactRow(db, values)
  if (!row) throw new Error('contact insert returned no row')
  return row
}

const insertContactRow = preparedQuery((db, p: Omit<NewContact, 'id'>) =>
  db
    .insertInto('contacts')
    .values({
      lead_id: p.lead_id,
      source_id: p.source_id,
      operator_id: p.operator_id,
      status: p.status,
      created_at: p.created_at,
      closed_at: p.closed_at,
      assigned_at: p.assigned_at,
      queued_at: p.queued_at,
    })
    .returningAll(),
)

/** A contact with its lead, source and operator, in one query. */
function selectContactViews(db: Db) {
  return db
    .selectFrom('contacts as c')
    .innerJoin('leads as l', 'l.id', 'c.lead_id')
    .innerJoin('sources as s', 's.id', 'c.source_id')
    .leftJoin('operators as o', 'o.id', 'c.operator_id')
    .select([
      'c.id',
      'c.lead_id',
      'c.source_id',
      'c.operator_id',
      'c.status',
      'c.created_at',
      'c.closed_at',
      'c.assigned_at',
      'c.queued_at',
      'l.external_id as lead_external_id',
      'l.phone as lead_phone',
      'l.email as lead_email',
      'l.created_at as lead_created_at',
      's.name as source_name',
      's.created_at as source_created_at',
      's.assign_waiting as source_assign_waiting',
      's.prefer_last_operator as source_prefer_last_operator',
      'o.name as operator_name',
      'o.is_active as operator_is_active',
      'o.max_load as operator_max_load',
      'o.current_load as operator_current_load',
      'o.created_at as operator_created_at',
      'o.deleted_at as operator_deleted_at',
    ])
}

export type ContactViewRow = Awaited<ReturnType<ReturnType<typeof selectContactViews>['executeTakeFirstOrThrow']>>

export async function findContactView(db: Db, id: number): Promise<ContactViewRow | undefined> {
  return selectContactViews(db).where('c.id', '=', id).executeTakeFirst()
}

export async function listContactViews(
  db: Db,
  filters: ContactFilters,
  { skip, limit }: Required<Paging>,
): Promise<ContactViewRow[]> {
  let query = selectContactViews(db)
  if (filters.lead_id !== undefined) query = query.where('c.lead_id', '=', filters.lead_id)
  if (filters.source_id !== undefined) query = query.where('c.source_id', '=', filters.source_id)
  if (filters.operator_id !== undefined) query = query.where('c.operator_id', '=', filters.operator_id)
  if (filters.status !== undefined) query = query.where('c.status', '=', filters.status)
  if (filters.assigned !== undefined) {
    query = query.where('c.operator_id', filters.assigned ? 'is not' : 'is', null)
  }
  return query.orderBy('c.id').offset(skip).limit(limit).execute()
}

export async function contactExists(db: Db, id: number): Promise<boolean> {
  const row = await db.selectFrom('contacts').select('id').where('id', '=', id).executeTakeFirst()
  return row !== undefined
}
