import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { ref } from '../http/schemas.js'

export const Health = Type.Object(
  {
    status: Type.Enum(['ok', 'unavailable'], { type: 'string' }),
    database: Type.Enum(['ok', 'unreachable'], { type: 'string' }),
    version: Type.String({ description: 'APP_VERSION' }),
  },
  {
    $id: 'Health',
    description: 'Whether the service and its database answer (503 when the database does not)',
    examples: [{ status: 'ok', database: 'ok', version: '1.0.0' }],
  },
)

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db; version: string }> = async (app, { db, version }) => {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['health'],
        summary: 'Liveness and database reachability',
        response: { 200: ref(Health), 503: ref(Health) },
      },
    },
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
