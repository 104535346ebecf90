import { useParams } from 'react-router'
import { ApiError } from '../api/client'

/** The page's `:id` when it is a valid id, else undefined (the page then shows "no such page"). */
export function useRouteId(): number | undefined {
  const id = Number(useParams().id)
  return Number.isInteger(id) && id > 0 && id <= 2_147_483_647 ? id : undefined
}

export function isNotFound(error: Error | null): boolean {
  return error instanceof ApiError && error.status === 404
}
