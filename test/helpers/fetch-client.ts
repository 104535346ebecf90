let counter = 0
/** A name no other test or process uses. */
export function uniqueId(prefix: string): string {
  counter += 1
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`
}

export interface JsonResponse<T = any> {
  status: number
  body: T
}

/** JSON over real HTTP (global fetch) against a listening server. */
export function fetchClient(baseUrl: string) {
  const call = async <T = any>(method: string, path: string, payload?: unknown): Promise<JsonResponse<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      ...(payload !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }),
    })
    const text = await response.text()
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T }
  }
  const expect = async <T = any>(status: number, method: string, path: string, payload?: unknown): Promise<T> => {
    const response = await call<T>(method, path, payload)
    if (response.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`)
    }
    return response.body
  }

  return {
    call,
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, payload: unknown) => call<T>('POST', path, payload),
    patch: <T = any>(path: string, payload: unknown) => call<T>('PATCH', path, payload),

    createOperator: (fields: { name?: string; is_active?: boolean; max_load?: number } = {}) =>
      expect<{ id: number; name: string; is_active: boolean; max_load: number; current_load: number }>(201, 'POST', '/operators/', {
        name: uniqueId('operator'),
        ...fields,
      }),
    createSource: (name = uniqueId('source')) => expect<{ id: number; name: string }>(201, 'POST', '/sources/', { name }),
    setWeights: (sourceId: number, weights: [operatorId: number, weight: number][]) =>
      expect(200, 'POST', `/sources/${sourceId}/distribution`, {
        operator_weights: weights.map(([operator_id, weight]) => ({ operator_id, weight })),
      }),
    registerContact: (fields: { source_id: number; external_id?: string; phone?: string; email?: string }) =>
      expect(201, 'POST', '/contacts/', { external_id: uniqueId('lead'), ...fields }),
    getOperator: (id: number) => expect(200, 'GET', `/operators/${id}`),
    contactStats: () => expect(200, 'GET', '/stats/contacts'),

    /** Every row of a list endpoint, page by page (the limit is at most 1000). */
    async listAll<T = any>(path: string): Promise<T[]> {
      const rows: T[] = []
      const separator = path.includes('?') ? '&' : '?'
      for (let skip = 0; ; skip += 1000) {
        const page = await expect<T[]>(200, 'GET', `${path}${separator}skip=${skip}&limit=1000`)
        rows.push(...page)
        if (page.length < 1000) return rows
      }
    },
  }
}

export type FetchClient = ReturnType<typeof fetchClient>
