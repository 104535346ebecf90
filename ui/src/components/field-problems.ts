import type { TFunction } from 'i18next'
import { ApiError, type FieldProblem } from '../api/client'

/**
 * The server's validation problems for one field of the body (its path, e.g. ['operator_weights', 0, 'weight']),
 * in the page's language where we know the kind of problem, else in the server's words.
 */
export function problemFor(error: Error | null, path: (string | number)[], t: TFunction): string | undefined {
  if (!(error instanceof ApiError) || typeof error.detail === 'string') return undefined
  const field = ['body', ...path].join('.')
  const problems = error.detail.filter((p) => p.loc.join('.') === field)
  if (problems.length === 0) return undefined
  return problems.map((p) => describeProblem(p, t)).join('; ')
}

export function describeProblem(problem: FieldProblem, t: TFunction): string {
  return t(`validation.${problem.type}`, { defaultValue: problem.msg })
}
