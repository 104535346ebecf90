import { pickOperator, type RandomSource } from '../../src/distribution/pick-operator.js'

// A reference model of the assignment lifecycle (SPEC.md part 2), in memory and written for clarity, not speed.
// It shares only the weighted pick with the service (a pure function with its own tests) and uses its own copy of
// the seeded random source, so the two make the same picks exactly when they follow the same rules.

interface Operator { id: number; active: boolean; deleted: boolean; max: number; load: number }
interface Source { id: number; assignWaiting: boolean; sticky: boolean; weights: Map<number, number> }
interface Contact { id: number; sourceId: number; lead: string; operatorId: number | null; active: boolean }
interface Scope { operatorId?: number; sourceId?: number; excludeOperatorId?: number; excludeContactIds?: number[] }

export type Outcome = 'ok' | 'CONTACT_CLOSED' | 'OPERATOR_UNAVAILABLE' | 'OPERATOR_AT_CAPACITY'

export class QueueModel {
  readonly operators = new Map<number, Operator>()
  readonly sources = new Map<number, Source>()
  readonly contacts: Contact[] = []
  readonly lastOperator = new Map<string, number>()

  constructor(private readonly random: RandomSource) {}

  addOperator(id: number, max: number, active: boolean) {
    this.operators.set(id, { id, active, deleted: false, max, load: 0 })
  }

  addSource(id: number) {
    this.sources.set(id, { id, assignWaiting: true, sticky: false, weights: new Map() })
  }

  #mayTake(operatorId: number, source: Source): boolean {
    const o = this.operators.get(operatorId)!
    return (source.weights.get(operatorId) ?? 0) > 0 && o.active && !o.deleted && o.load < o.max
  }

  #candidates(source: Source) {
    return [...source.weights.entries()]
      .filter(([id]) => this.#mayTake(id, source))
      .sort(([a], [b]) => a - b)
      .map(([operator_id, weight]) => ({ operator_id, weight }))
  }

  #give(contact: Contact, operatorId: number) {
    if (contact.operatorId !== null) this.operators.get(contact.operatorId)!.load--
    this.operators.get(operatorId)!.load++
    contact.operatorId = operatorId
    this.lastOperator.set(contact.lead, operatorId)
  }

  #drain(scope: Scope, limit: number) {
    for (let given = 0; given < limit; given++) {
      const heads = [...this.sources.values()]
        .filter((s) => s.assignWaiting && (scope.sourceId === undefined || s.id === scope.sourceId))
        .filter((s) => [...s.weights.keys()].some((id) => this.#mayTake(id, s) && (scope.operatorId === undefined || id === scope.operatorId) && id !== scope.excludeOperatorId))
        .map((s) => this.contacts.find((c) => c.sourceId === s.id && c.active && c.operatorId === null && !(scope.excludeContactIds ?? []).includes(c.id)))
        .filter((c): c is Contact => c !== undefined)
        .sort((a, b) => a.id - b.id)
      const head = heads[0]
      if (!head) return
      const source = this.sources.get(head.sourceId)!
      const candidates = scope.operatorId !== undefined ? [{ operator_id: scope.operatorId, weight: 1 }] : this.#candidates(source).filter((c) => c.operator_id !== scope.excludeOperatorId)
      this.#give(head, pickOperator(candidates, this.random)!.operator_id)
    }
  }

  register(id: number, sourceId: number, lead: string): void {
    const source = this.sources.get(sourceId)!
    const candidates = this.#candidates(source)
    const preferred = source.sticky ? this.lastOperator.get(lead) : undefined
    const choice = candidates.find((c) => c.operator_id === preferred) ?? pickOperator(candidates, this.random)
    const contact: Contact = { id, sourceId, lead, operatorId: null, active: true }
    this.contacts.push(contact)
    if (choice) this.#give(contact, choice.operator_id)
  }

  close(contactId: number): void {
    const contact = this.contacts.find((c) => c.id === contactId)!
    if (!contact.active) return
    contact.active = false
    if (contact.operatorId === null) return
    this.operators.get(contact.operatorId)!.load--
    this.#drain({ operatorId: contact.operatorId }, 1)
  }

  assign(contactId: number, target: number | null, force: boolean): Outcome {
    const contact = this.contacts.find((c) => c.id === contactId)!
    if (!contact.active) return 'CONTACT_CLOSED'
    const previous = contact.operatorId
    if (target === previous) return 'ok'
    if (target === null) {
      this.operators.get(previous!)!.load--
      contact.operatorId = null
      this.#drain({ sourceId: contact.sourceId, excludeOperatorId: previous! }, 1)
    } else {
      const operator = this.operators.get(target)!
      if (!operator.active || operator.deleted) return 'OPERATOR_UNAVAILABLE'
      if (!force && operator.load >= operator.max) return 'OPERATOR_AT_CAPACITY'
      this.#give(contact, target)
    }
    if (previous !== null) this.#drain({ operatorId: previous, excludeContactIds: [contactId] }, 1)
    return 'ok'
  }

  updateOperator(id: number, changes: { max?: number; active?: boolean }): void {
    const operator = this.operators.get(id)!
    if (changes.max !== undefined) operator.max = changes.max
    if (changes.active !== undefined) operator.active = changes.active
    const room = operator.max - operator.load
    if (operator.active && room > 0) this.#drain({ operatorId: id }, room)
  }

  setWeights(sourceId: number, weights: [number, number][]): void {
    this.sources.get(sourceId)!.weights = new Map(weights)
    this.#drain({ sourceId }, 500)
  }

  setSource(sourceId: number, changes: { assignWaiting?: boolean; sticky?: boolean }): void {
    const source = this.sources.get(sourceId)!
    const switchedOn = changes.assignWaiting === true && !source.assignWaiting
    if (changes.assignWaiting !== undefined) source.assignWaiting = changes.assignWaiting
    if (changes.sticky !== undefined) source.sticky = changes.sticky
    if (switchedOn) this.#drain({ sourceId }, 500)
  }

  /** Requeue (end of shift) or delete: the operator takes nothing more, its contacts go back and out again. */
  handBack(operatorId: number, deleted: boolean): void {
    const operator = this.operators.get(operatorId)!
    operator.active = false
    if (deleted) {
      operator.deleted = true
      for (const source of this.sources.values()) source.weights.delete(operatorId)
    }
    const perSource = new Map<number, number>()
    for (const contact of this.contacts.filter((c) => c.active && c.operatorId === operatorId)) {
      contact.operatorId = null
      operator.load--
      perSource.set(contact.sourceId, (perSource.get(contact.sourceId) ?? 0) + 1)
    }
    for (const [sourceId, count] of perSource) this.#drain({ sourceId }, count)
  }
}
