import type { FastifyInstance } from 'fastify'

let counter = 0
/** A name no other test uses, so tests never depend on each other's data. */
export function uniqueName(prefix: string): string {
  counter += 1
  return `${prefix} ${process.pid}-${counter}`
}

interface Response<T> {
  status: number
  body: T
}

/** Thin JSON helpers over app.inject, used by the HTTP tests to arrange their own data. */
export function apiClient(app: FastifyInstance, prefix = '') {
  const call = async <T = any>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const response = await app.inject({ method, url: `${prefix}${url}`, ...(payload !== undefined && { payload: payload as object }) })
    const body: unknown = response.body === '' ? undefined : response.json()
    return { status: response.statusCode, body } as Response<T>
  }
  return {
    call,
    get: <T = any>(url: string) => call<T>('GET', url),
    post: <T = any>(url: string, payload: unknown) => call<T>('POST', url, payload),
    patch: <T = any>(url: string, payload: unknown) => call<T>('PATCH', url, payload),
    delete: <T = any>(url: string) => call<T>('DELETE', url),

    async createOperator(fields: { name?: string; is_active?: boolean; max_load?: number } = {}) {
      const response = await call('POST', '/operators/', { name: uniqueName('Operator'), ...fields })
      if (response.status !== 201) throw new Error(`createOperator: ${response.status} ${JSON.stringify(response.body)}`)
      return response.body as { id: number; name: string; is_active: boolean; max_load: number; current_load: number }
    },
    async createSource(name = uniqueName('Source')) {
      const response = await call('POST', '/sources/', { name })
      if (response.status !== 201) throw new Error(`createSource: ${response.status} ${JSON.stringify(response.body)}`)
      return response.body as { id: number; name: string }
    },
    async setWeights(sourceId: number, weights: [operatorId: number, weight: number][]) {
      const response = await call('POST', `/sources/${sourceId}/distribution`, {
        operator_weights: weights.map(([operator_id, weight]) => ({ operator_id, weight })),
      })
      if (response.status !== 200) throw new Error(`setWeights: ${response.status} ${JSON.stringify(response.body)}`)
      return response.body
    },
    async registerContact(fields: { source_id: number; external_id?: string; phone?: string | null; email?: string | null }) {
      const response = await call('POST', '/contacts/', { external_id: uniqueName('lead'), ...fields })
      if (response.status !== 201) throw new Error(`registerContact: ${response.status} ${JSON.stringify(response.body)}`)
      return response.body as { id: number; lead_id: number; operator_id: number | null; status: string }
    },
  }
}
