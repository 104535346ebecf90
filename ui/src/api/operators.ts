import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { Operator, OperatorCreate, OperatorUpdate } from '../../../src/operators/operators.schemas.js'
import { request } from './client'
import { REFRESH_MS } from './refresh'

export type { Operator, OperatorCreate, OperatorUpdate }

/** Every operator (a team's operators fit in one page of the API). */
export function useOperators() {
  return useQuery({
    queryKey: ['operators'],
    queryFn: () => request<Operator[]>('GET', '/operators/?limit=1000'),
    refetchInterval: REFRESH_MS,
  })
}

/** Writes to operators change loads, distributions and statistics: everything is read again. */
function useOperatorMutation<Input>(send: (input: Input) => Promise<unknown>) {
  const queryClient = useQueryClient()
  return useMutation({ mutationFn: send, onSuccess: () => queryClient.invalidateQueries() })
}

export function useCreateOperator() {
  return useOperatorMutation((input: OperatorCreate) => request<Operator>('POST', '/operators/', input))
}

export function useUpdateOperator() {
  return useOperatorMutation(({ id, ...changes }: OperatorUpdate & { id: number }) =>
    request<Operator>('PATCH', `/operators/${id}`, changes),
  )
}

export function useDeleteOperator() {
  return useOperatorMutation((id: number) => request<undefined>('DELETE', `/operators/${id}`))
}
