import type { FastifyInstance } from 'fastify'

interface KnownPath {
  pattern: RegExp
  methods: Set<string>
}

/**
 * The methods each registered path answers, so a wrong method on a path that exists can answer 405 with `Allow`
 * rather than 404. Paths are matched as the router matches them: `:name` is one segment, `*` the rest, and the
 * trailing slash is optional. Catch-all routes (`*`, e.g. CORS preflights) name no path and are left out.
 */
export function trackAllowedMethods(app: FastifyInstance): (url: string) => string[] {
  const known = new Map<string, KnownPath>()
  app.addHook('onRoute', (route) => {
    if (/^\/?\*$/.test(route.url)) return
    const entry = known.get(route.url) ?? { pattern: patternOf(route.url), methods: new Set<string>() }
    for (const method of [route.method].flat()) entry.methods.add(method)
    known.set(route.url, entry)
  })
  return (url) => {
    const path = url.split('?', 1)[0] ?? ''
    const methods = new Set<string>()
    for (const entry of known.values()) if (entry.pattern.test(path)) entry.methods.forEach((m) => methods.add(m))
    return [...methods].sort()
  }
}

function patternOf(url: string): RegExp {
  const source = url
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => (segment === '*' ? '.*' : segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  return new RegExp(`^${source}/?$`)
}
