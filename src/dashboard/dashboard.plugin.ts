import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where `npm run build` puts the dashboard: dist/ui at the project root, from src/ and from dist/ alike. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url))

export interface DashboardOptions {
  /** The built dashboard (index.html and assets/); defaults to DASHBOARD_DIR. */
  dir?: string
  apiPrefix: string
  appName: string
}

/** The dashboard's page and files: public, since a browser opening a page sends no key (its API calls do). */
export function isDashboardRoute(url: string): boolean {
  return url === '/' || url.startsWith('/assets/')
}

/**
 * The supervisor dashboard at `/`: the page built by Vite, told where the API lives, and its hashed assets,
 * cached for good. Without a build, `/` says how to make one rather than failing the whole service.
 */
export async function registerDashboard(app: FastifyInstance, { dir = DASHBOARD_DIR, apiPrefix, appName }: DashboardOptions) {
  const indexFile = join(dir, 'index.html')
  if (!existsSync(indexFile)) {
    app.log.warn({ dir }, 'dashboard not built: run `npm run build` to serve it at /')
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.status(503).type('text/plain; charset=utf-8').send('The dashboard is not built. Run `npm run build`, then restart.\n'),
    )
    return
  }
  const page = renderIndex(readFileSync(indexFile, 'utf8'), { apiPrefix, appName })
  app.get('/', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page),
  )
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    // One route per built file, so no wildcard route competes with the API's own paths.
    wildcard: false,
    decorateReply: false,
    immutable: true,
    maxAge: '365d',
    index: false,
    schemaHide: true,
  })
}

/** Fills the page's placeholders (see ui/index.html). */
export function renderIndex(html: string, { apiPrefix, appName }: { apiPrefix: string; appName: string }): string {
  return html.replaceAll('__API_PREFIX__', escapeHtml(apiPrefix)).replaceAll('__APP_NAME__', escapeHtml(appName))
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
