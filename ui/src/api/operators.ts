import { useQuery } from '@tanstack/react-query'
import type { Operator, OperatorCreate, OperatorUpdate } from '../../../src/operators/operators.schemas.js'
import { request } from './client'
import { REFRESH_MS } from './refresh'
import { useWrite } from './write'

export type { Operator, OperatorCreate, OperatorUpdate }

/** Every operator (a team's operators fit in one page of the API). */
export function useOperators() {
  return useQuery({
    queryKey: ['operators'],
    queryFn: () => request<Operator[]>('GET', '/operators/?limit=1000'),
    refetchInterval: REFRESH_MS,
  })
}

export function useCreateOperator() {
  return useWrite((input: OperatorCreate) => request<Operator>('POST', '/operators/', input))
}

export function useUpdateOperator() {
  return useWrite(({ id, ...changes }: OperatorUpdate & { id: number }) =>
    request<Operator>('PATCH', `/operators/${id}`, changes),
  )
}

export function useDeleteOperator() {
  return useWrite((id: number) => request<undefined>('DELETE', `/operators/${id}`))
}
