/** Operators that never fill during a run, so every registration really assigns one. */
export const LARGE_MAX_LOAD = 1_000_000
/** One extra operator, full after its first few contacts, keeps the limit path exercised. */
export const SMALL_MAX_LOAD = 5

export interface Setup {
  /** The operators with LARGE_MAX_LOAD, in id order. */
  operatorIds: number[]
  smallOperatorId: number
  sourceIds: number[]
}

/**
 * Creates operators, sources and each source's weights through the service's own HTTP API, and with `webhookUrl`
 * one webhook subscribed to every event.
 */
export async function configureService(baseUrl: string, counts: { operators: number; sources: number }, webhookUrl?: string): Promise<Setup> {
  const post = async (path: string, body: unknown): Promise<{ id: number }> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`)
    return (await response.json()) as { id: number }
  }

  const operatorIds: number[] = []
  for (let i = 1; i <= counts.operators; i++) {
    operatorIds.push((await post('/operators/', { name: `Bench operator ${i}`, max_load: LARGE_MAX_LOAD })).id)
  }
  const smallOperatorId = (await post('/operators/', { name: 'Bench small operator', max_load: SMALL_MAX_LOAD })).id

  const sourceIds: number[] = []
  for (let i = 1; i <= counts.sources; i++) {
    const sourceId = (await post('/sources/', { name: `Bench source ${i}` })).id
    // Uneven weights (1..4), and the small operator on every source.
    const operator_weights = [
      ...operatorIds.map((operator_id, index) => ({ operator_id, weight: 1 + ((index + i) % 4) })),
      { operator_id: smallOperatorId, weight: 1 },
    ]
    await post(`/sources/${sourceId}/distribution`, { operator_weights })
    sourceIds.push(sourceId)
  }
  if (webhookUrl !== undefined) await post('/webhooks', { url: webhookUrl, events: ['*'] })
  return { operatorIds, smallOperatorId, sourceIds }
}
