import { useQuery } from '@tanstack/react-query'
import type { ContactStats, SourceDistributionStats } from '../../../src/stats/stats.schemas.js'
import { request } from './client'
import { REFRESH_MS } from './refresh'

export type { ContactStats, SourceDistributionStats }

export function useContactStats() {
  return useQuery({
    queryKey: ['stats', 'contacts'],
    queryFn: () => request<ContactStats>('GET', '/stats/contacts'),
    refetchInterval: REFRESH_MS,
  })
}

export function useDistributionStats() {
  return useQuery({
    queryKey: ['stats', 'distribution'],
    queryFn: () => request<SourceDistributionStats[]>('GET', '/stats/distribution'),
    refetchInterval: REFRESH_MS,
  })
}
