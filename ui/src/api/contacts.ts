import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { Contact, ContactQuery } from '../../../src/contacts/contacts.schemas.js'
import type { Lead } from '../../../src/leads/leads.schemas.js'
import { queryString, request } from './client'
import { REFRESH_MS } from './refresh'
import { useWrite } from './write'

export type { Contact, ContactQuery, Lead }

/** One page of contacts; the previous page stays on screen while the next one loads. */
export function useContacts(query: ContactQuery) {
  return useQuery({
    queryKey: ['contacts', query],
    queryFn: () => request<Contact[]>('GET', `/contacts/${queryString({ ...query })}`),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  })
}

export function useLead(id: number) {
  return useQuery({ queryKey: ['leads', id], queryFn: () => request<Lead>('GET', `/leads/${id}`) })
}

export function useLeadContacts(id: number) {
  return useQuery({
    queryKey: ['contacts', { lead: id }],
    queryFn: () => request<Contact[]>('GET', `/leads/${id}/contacts?limit=1000`),
  })
}

export function useCloseContact() {
  return useWrite((id: number) => request<Contact>('PATCH', `/contacts/${id}`, { status: 'closed' }))
}
