import type { Db } from '../db/database.js'
import { toIso } from '../db/values.js'
import { NotFoundError } from '../errors.js'
import type { Paging } from '../http/schemas.js'
import * as leads from './leads.repository.js'
import type { Lead } from './leads.schemas.js'

export function toLead(row: leads.LeadFields): Lead {
  return { id: row.id, external_id: row.external_id, phone: row.phone, email: row.email, created_at: toIso(row.created_at) }
}

export async function getLead(db: Db, id: number): Promise<Lead> {
  const row = await leads.findLeadById(db, id)
  if (!row) throw new NotFoundError('Lead', id)
  return toLead(row)
}

export async function listLeads(db: Db, paging: Required<Paging>): Promise<Lead[]> {
  return (await leads.listLeads(db, paging)).map(toLead)
}
