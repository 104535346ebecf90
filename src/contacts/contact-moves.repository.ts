import { isPostgres, type Db } from '../db/database.js'
import { preparedQuery } from '../db/prepared-query.js'

/** What a move needs to know of a contact. */
export interface HeldContact {
  id: number
  lead_id: number
  source_id: number
  operator_id: number | null
  status: 'active' | 'closed'
  queued_at: Date | string | null
}

const HELD_COLUMNS = ['id', 'lead_id', 'source_id', 'operator_id', 'status', 'queued_at'] as const

/** The contact, locked until the transaction ends on PostgreSQL (SQLite write transactions run one at a time). */
export async function findContactForUpdate(db: Db, id: number): Promise<HeldContact | undefined> {
  const query = db.selectFrom('contacts').select(HELD_COLUMNS).where('id', '=', id)
  return (isPostgres(db) ? query.forUpdate() : query).executeTakeFirst()
}

/** The operator's active contacts, oldest first, locked as above. */
export async function findActiveContactsOfOperator(db: Db, operatorId: number): Promise<HeldContact[]> {
  const query = db
    .selectFrom('contacts')
    .select(HELD_COLUMNS)
    .where('operator_id', '=', operatorId)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .orderBy('id')
  return (isPostgres(db) ? query.forUpdate() : query).execute()
}

export async function setContactOperator(
  db: Db,
  values: { id: number; operatorId: number | null; assignedAt: string | null; queuedAt: string | null },
): Promise<void> {
  await updateContactOperator(db, values)
}

const updateContactOperator = preparedQuery(
  (db, p: { id: number; operatorId: number | null; assignedAt: string | null; queuedAt: string | null }) =>
    db.updateTable('contacts').set({ operator_id: p.operatorId, assigned_at: p.assignedAt, queued_at: p.queuedAt }).where('id', '=', p.id),
)

export async function markContactClosed(db: Db, id: number, at: string): Promise<void> {
  await updateContactClosed(db, { id, at })
}

const updateContactClosed = preparedQuery((db, p: { id: number; at: string }) =>
  db.updateTable('contacts').set({ status: 'closed', closed_at: p.at }).where('id', '=', p.id),
)

export async function setLeadLastOperator(db: Db, leadId: number, operatorId: number): Promise<void> {
  await updateLeadLastOperator(db, { leadId, operatorId })
}

const updateLeadLastOperator = preparedQuery((db, p: { leadId: number; operatorId: number }) =>
  db.updateTable('leads').set({ last_operator_id: p.operatorId }).where('id', '=', p.leadId),
)
