import { useQuery } from '@tanstack/react-query'
import type { OperatorWeight } from '../../../src/distribution/distribution.schemas.js'
import type { Source, SourceCreate } from '../../../src/sources/sources.schemas.js'
import { request } from './client'
import { useWrite } from './write'

export type { OperatorWeight, Source }

export function useSources() {
  return useQuery({ queryKey: ['sources'], queryFn: () => request<Source[]>('GET', '/sources/?limit=1000') })
}

export function useSource(id: number) {
  return useQuery({ queryKey: ['sources', id], queryFn: () => request<Source>('GET', `/sources/${id}`) })
}

export function useCreateSource() {
  return useWrite((input: SourceCreate) => request<Source>('POST', '/sources/', input))
}

export function useDistribution(sourceId: number) {
  return useQuery({
    queryKey: ['distribution', sourceId],
    queryFn: () => request<OperatorWeight[]>('GET', `/sources/${sourceId}/distribution`),
  })
}

export interface WeightInput {
  operator_id: number
  weight: number
}

/** Replaces the source's whole distribution at once, as the API does. */
export function useSaveDistribution(sourceId: number) {
  return useWrite((weights: WeightInput[]) =>
    request<OperatorWeight[]>('POST', `/sources/${sourceId}/distribution`, { operator_weights: weights }),
  )
}
