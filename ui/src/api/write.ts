import { useMutation, useQueryClient } from '@tanstack/react-query'

/**
 * A change through the API. Any write can move loads, shares and counts on every page, so on success every
 * query is read again.
 */
export function useWrite<Input, Output>(send: (input: Input) => Promise<Output>) {
  const queryClient = useQueryClient()
  return useMutation({ mutationFn: send, onSuccess: () => queryClient.invalidateQueries() })
}
