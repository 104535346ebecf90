import { expect } from 'vitest'

/**
 * The event log tells each contact's story: replaying a contact's events — contact.created first, each next one
 * continuing from the operator the one before left it with, nothing after contact.closed — ends in the contact as
 * the API shows it. Ids ascend, and no event names a contact that does not exist.
 */
export function expectEventsToReplay(contacts: any[], events: any[], where: string): void {
  const ids = events.map((e) => e.id as number)
  expect(ids, `event ids not ascending, ${where}`).toEqual([...new Set(ids)].sort((a, b) => a - b))
  const timelines = new Map<number, any[]>()
  for (const event of events) timelines.set(event.contact_id, [...(timelines.get(event.contact_id) ?? []), event])
  const known = new Set(contacts.map((c) => c.id as number))
  expect([...timelines.keys()].filter((id) => !known.has(id)), `events of unknown contacts, ${where}`).toEqual([])
  for (const contact of contacts) {
    const [created, ...rest] = timelines.get(contact.id) ?? []
    const story = `contact ${contact.id}: ${JSON.stringify(timelines.get(contact.id))}, ${where}`
    expect(created?.type, story).toBe('contact.created')
    expect([created.lead_id, created.source_id, created.previous_operator_id], story).toEqual([contact.lead_id, contact.source_id, null])
    let operator = created.operator_id
    let closed = false
    for (const event of rest) {
      expect(closed, `an event after contact.closed: ${story}`).toBe(false)
      expect(event.previous_operator_id, story).toBe(operator)
      const expectedType =
        event.type === 'contact.closed' ? 'contact.closed'
        : event.operator_id === null ? 'contact.unassigned'
        : operator === null ? 'contact.assigned'
        : 'contact.reassigned'
      expect(event.type, story).toBe(expectedType)
      if (event.type === 'contact.closed') {
        expect(event.operator_id, story).toBe(operator)
        closed = true
      }
      operator = event.operator_id
    }
    expect([operator, closed], story).toEqual([contact.operator_id, contact.status === 'closed'])
  }
}
