import { sql, type SqlBool } from 'kysely'

// The one rule for "may take a contact of this source now", used by registration, the queue drain and the
// preview: a weight > 0 on the source, active, not deleted, under max_load. An operator pushed over its limit by
// a forced assignment gets nothing automatically until it is back under it.

/** The rule in SQL, over an operator aliased `o` joined to its weight on the source aliased `w`. */
export const operatorMayTake = sql<SqlBool>`(w.weight > 0 and o.is_active and o.deleted_at is null and o.current_load < o.max_load)`

export type Ineligibility = 'inactive' | 'at_capacity' | 'zero_weight'

export interface OperatorState {
  is_active: boolean | number
  deleted_at: Date | string | null
  current_load: number
  max_load: number
}

/** The same rule in TypeScript, naming why an operator may not take a contact (null: it may). */
export function ineligibility(operator: OperatorState, weight: number): Ineligibility | null {
  if (!operator.is_active || operator.deleted_at !== null) return 'inactive'
  if (!(weight > 0)) return 'zero_weight'
  if (operator.current_load >= operator.max_load) return 'at_capacity'
  return null
}
