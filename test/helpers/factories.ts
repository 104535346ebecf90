import type { Contact } from '../../src/contacts/contacts.schemas.js'
import type { OperatorWeight } from '../../src/distribution/distribution.schemas.js'
import type { RandomSource } from '../../src/distribution/pick-operator.js'
import type { Operator, OperatorCreate } from '../../src/operators/operators.schemas.js'
import type { Source } from '../../src/sources/sources.schemas.js'
import type { ContactStats } from '../../src/stats/stats.schemas.js'

let counter = 0
/**
 * A name no other test or process uses (tests never depend on each other's data). Without spaces, so it also
 * serves as an external_id or an Idempotency-Key.
 */
export function uniqueName(prefix: string): string {
  counter += 1
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`
}

/** A random source that answers the given values in turn, then repeats the last: the pick a test wants. */
export function sequence(...values: number[]): RandomSource {
  let i = 0
  return () => values[Math.min(i++, values.length - 1)] ?? 0
}

/** One row of each resource a test arranged, by the resource its path names. */
export interface RouteIds {
  operator: number
  source: number
  contact: number
  lead: number
  webhook: number
  delivery: number
}

/** The id a route's path takes ({id} or :id): the arranged row of the resource the path starts with. */
export function idForPath(path: string, ids: RouteIds): number {
  const resource = /^\/(operators|sources|contacts|webhooks)/.exec(path)?.[1]
  return resource === undefined ? ids.lead : ids[resource.slice(0, -1) as 'operator' | 'source' | 'contact' | 'webhook']
}

/** Test data through the API, as a client would create it; each throws unless the API answers success. */
export function factories(http: { expectStatus: <T>(status: number, method: string, url: string, payload?: unknown) => Promise<T> }) {
  return {
    createOperator: (fields: Partial<OperatorCreate> = {}) =>
      http.expectStatus<Operator>(201, 'POST', '/operators/', { name: uniqueName('Operator'), ...fields }),
    createSource: (name = uniqueName('Source'), settings: { assign_waiting?: boolean; prefer_last_operator?: boolean } = {}) =>
      http.expectStatus<Source>(201, 'POST', '/sources/', { name, ...settings }),
    setWeights: (sourceId: number, weights: [operatorId: number, weight: number][]) =>
      http.expectStatus<OperatorWeight[]>(200, 'POST', `/sources/${sourceId}/distribution`, {
        operator_weights: weights.map(([operator_id, weight]) => ({ operator_id, weight })),
      }),
    registerContact: (fields: { source_id: number; external_id?: string; phone?: string | null; email?: string | null }) =>
      http.expectStatus<Contact>(201, 'POST', '/contacts/', { external_id: uniqueName('lead'), ...fields }),
    getOperator: (id: number) => http.expectStatus<Operator>(200, 'GET', `/operators/${id}`),
    contactStats: () => http.expectStatus<ContactStats>(200, 'GET', '/stats/contacts'),
  }
}
