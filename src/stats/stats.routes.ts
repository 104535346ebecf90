import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { errorResponses, ref } from '../http/schemas.js'
import { ContactStats, SourceDistributionStats } from './stats.schemas.js'
import * as service from './stats.service.js'

export const statsRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const tags = ['stats']

  app.get(
    '/stats/contacts',
    {
      schema: {
        operationId: 'getContactStats',
        tags,
        summary: 'Contact counts: totals, per source and per operator (unassigned included)',
        response: { 200: ref(ContactStats), ...errorResponses() },
      },
    },
    async () => service.getContactStats(db),
  )

  app.get(
    '/stats/distribution',
    {
      schema: {
        operationId: 'getDistributionStats',
        tags,
        summary: 'Per source: configured share vs actual share of each operator',
        response: { 200: Type.Array(ref(SourceDistributionStats), { description: 'Every source, in id order' }), ...errorResponses() },
      },
    },
    async () => service.getDistributionStats(db),
  )
}
