import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  version: Type.String(),
})

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db; version: string }> = async (app, { db, version }) => {
  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Liveness and database reachability', response: { 200: Health, 503: Health } } },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(db)
        return { status: 'ok' as const, database: 'ok' as const, version }
      } catch (error) {
        request.log.warn({ err: error }, 'database unreachable')
        return reply.status(503).send({ status: 'unavailable', database: 'unreachable', version })
      }
    },
  )
}
