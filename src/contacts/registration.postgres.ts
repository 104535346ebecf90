import { sql, type SqlBool } from 'kysely'
import type { Db } from '../db/database.js'
import { operatorMayTake } from '../distribution/eligibility.js'
import { preparedQuery } from '../db/prepared-query.js'
import { leadOfJoinedRow } from '../leads/leads.repository.js'
import type { OperatorRow } from '../operators/operators.repository.js'
import { UNASSIGNED } from './contact-tallies.repository.js'
import type { NewRegistration, SourceCandidates, StoredRegistration } from './registration.repository.js'

// A registration on PostgreSQL is these two statements: two round trips, no BEGIN or COMMIT, the event included
// (and its webhook deliveries, which the database's trigger on events writes in the same statement).

/** The source with its eligible operators in one query: one row per operator, or one with a null operator_id. */
export async function findSourceCandidatesInOneQuery(db: Db, sourceId: number, externalId: string): Promise<SourceCandidates | undefined> {
  const rows = await selectSourceCandidates(db, { sourceId, externalId })
  const first = rows[0]
  if (!first) return undefined
  const candidates = rows.flatMap(({ operator_id, weight }) => (operator_id === null || weight === null ? [] : [{ operator_id, weight }]))
  const { id, name, created_at, assign_waiting, prefer_last_operator } = first
  return { source: { id, name, created_at, assign_waiting, prefer_last_operator }, candidates, preferred: first.preferred }
}

const selectSourceCandidates = preparedQuery((db, p: { sourceId: number; externalId: string }) =>
  db
    .selectFrom('sources as s')
    .leftJoin('source_operator_weights as w', (join) =>
      join
        .onRef('w.source_id', '=', 's.id')
        .on((eb) => eb.exists(eb.selectFrom('operators as o').select('o.id').whereRef('o.id', '=', 'w.operator_id').where(operatorMayTake))),
    )
    .select(['s.id', 's.name', 's.created_at', 's.assign_waiting', 's.prefer_last_operator', 'w.operator_id', 'w.weight'])
    // The lead's last operator (one index lookup), only where the source asks for sticky routing.
    .select((eb) =>
      eb
        .case()
        .when(sql<SqlBool>`s.prefer_last_operator`)
        .then(eb.selectFrom('leads as l').select('l.last_operator_id').where('l.external_id', '=', p.externalId))
        .else(null)
        .end()
        .as('preferred'),
    )
    .where('s.id', '=', p.sourceId)
    .orderBy('w.operator_id'),
)

/**
 * The writes as one statement of data-modifying CTEs, atomic without a transaction. Each step reads the rows the
 * previous one returned, so when the claim updates no row (the operator filled up) nothing else is written.
 */
export async function insertRegistrationInOneStatement(db: Db, values: NewRegistration): Promise<StoredRegistration | undefined> {
  const [row] = await insertRegistrationRow(db, values)
  if (!row) return undefined
  const { id, lead_id, source_id, operator_id, status, created_at, closed_at, assigned_at, queued_at } = row
  return {
    contact: { id, lead_id, source_id, operator_id, status, created_at, closed_at, assigned_at, queued_at },
    lead: leadOfJoinedRow(row),
    operator: claimedOperator(row),
  }
}

type RegistrationRow = Awaited<ReturnType<typeof insertRegistrationRow>>[number]

/** The operator's columns are left-joined: all null when the contact went unassigned. */
function claimedOperator(row: RegistrationRow): OperatorRow | null {
  const { operator_id: id, operator_name: name, operator_is_active: is_active, operator_max_load: max_load } = row
  const { operator_current_load: current_load, operator_created_at: created_at, operator_deleted_at: deleted_at } = row
  if (id === null || name === null || is_active === null || max_load === null || current_load === null || created_at === null) return null
  return { id, name, is_active, max_load, current_load, created_at, deleted_at }
}

const insertRegistrationRow = preparedQuery((db, p: NewRegistration) =>
  db
    // The operator's slot, taken only while it is active and under its limit (no row otherwise).
    .with('claimed', (qc) =>
      qc
        .updateTable('operators')
        .set((eb) => ({ current_load: eb('current_load', '+', 1) }))
        .where('id', '=', p.operatorId)
        .where('is_active', '=', 1)
        .where('deleted_at', 'is', null)
        .whereRef('current_load', '<', 'max_load')
        .returningAll(),
    )
    // The lead, found or created, only if the contact goes unassigned or the claim succeeded.
    .with('lead', (qc) =>
      qc
        .insertInto('leads')
        .columns(['external_id', 'phone', 'email', 'created_at', 'last_operator_id'])
        .expression(
          qc
            .selectNoFrom((eb) => [
              eb.val(p.externalId).as('external_id'),
              eb.val(p.phone).as('phone'),
              eb.val(p.email).as('email'),
              eb.val(p.createdAt).as('created_at'),
              eb.selectFrom('claimed').select('claimed.id').as('last_operator_id'),
            ])
            .where((eb) => eb.or([eb(eb.cast(eb.val(p.operatorId), 'integer'), 'is', null), eb.exists(eb.selectFrom('claimed').select('id'))])),
        )
        .onConflict((oc) =>
          oc.column('external_id').doUpdateSet((eb) => ({
            phone: eb.fn.coalesce('leads.phone', 'excluded.phone'),
            email: eb.fn.coalesce('leads.email', 'excluded.email'),
            last_operator_id: eb.fn.coalesce('excluded.last_operator_id', 'leads.last_operator_id'),
          })),
        )
        .returningAll(),
    )
    .with('contact', (qc) =>
      qc
        .insertInto('contacts')
        .columns(['lead_id', 'source_id', 'operator_id', 'status', 'created_at', 'closed_at', 'assigned_at', 'queued_at'])
        .expression(
          qc
            .selectFrom('lead')
            .select((eb) => [
              'lead.id',
              eb.val(p.sourceId).as('source_id'),
              eb.selectFrom('claimed').select('claimed.id').as('operator_id'),
              eb.val('active').as('status'),
              eb.val(p.createdAt).as('created_at'),
              eb.lit(null).as('closed_at'),
              eb.val(p.assignedAt).as('assigned_at'),
              eb.val(p.queuedAt).as('queued_at'),
            ]),
        )
        .returningAll(),
    )
    .with('tally', (qc) =>
      qc
        .insertInto('contact_tallies')
        .columns(['source_id', 'operator_id', 'total', 'active'])
        .expression(
          qc
            .selectFrom('contact')
            .select((eb) => [
              'contact.source_id',
              eb.fn.coalesce('contact.operator_id', eb.lit(UNASSIGNED)).as('operator_id'),
              eb.lit(1).as('total'),
              eb.lit(1).as('active'),
            ]),
        )
        .onConflict((oc) =>
          oc.columns(['source_id', 'operator_id']).doUpdateSet((eb) => ({
            total: eb('contact_tallies.total', '+', eb.ref('excluded.total')),
            active: eb('contact_tallies.active', '+', eb.ref('excluded.active')),
          })),
        ),
    )
    .with('event', (qc) =>
      qc
        .insertInto('events')
        .columns(['type', 'reason', 'occurred_at', 'contact_id', 'lead_id', 'source_id', 'operator_id', 'previous_operator_id', 'actor'])
        .expression(
          qc
            .selectFrom('contact')
            .select((eb) => [
              eb.val('contact.created').as('type'),
              eb.val(p.reason).as('reason'),
              'contact.created_at',
              'contact.id',
              'contact.lead_id',
              'contact.source_id',
              'contact.operator_id',
              eb.lit(null).as('previous_operator_id'),
              eb.cast(eb.val(p.actor), 'integer').as('actor'),
            ]),
        ),
    )
    .selectFrom('contact')
    .innerJoin('lead', 'lead.id', 'contact.lead_id')
    .leftJoin('claimed', 'claimed.id', 'contact.operator_id')
    .select([
      'contact.id',
      'contact.lead_id',
      'contact.source_id',
      'contact.operator_id',
      'contact.status',
      'contact.created_at',
      'contact.closed_at',
      'contact.assigned_at',
      'contact.queued_at',
      'lead.external_id as lead_external_id',
      'lead.phone as lead_phone',
      'lead.email as lead_email',
      'lead.created_at as lead_created_at',
      'claimed.name as operator_name',
      'claimed.is_active as operator_is_active',
      'claimed.max_load as operator_max_load',
      'claimed.current_load as operator_current_load',
      'claimed.created_at as operator_created_at',
      'claimed.deleted_at as operator_deleted_at',
    ]),
)
