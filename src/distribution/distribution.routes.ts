import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { errorResponses, IdParam, ref } from '../http/schemas.js'
import { DistributionSet, OperatorWeight } from './distribution.schemas.js'
import * as service from './distribution.service.js'

export const distributionRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const tags = ['sources']

  app.post(
    '/sources/:id/distribution',
    {
      schema: {
        operationId: 'setDistribution',
        tags,
        summary: 'Set the operators of a source and their weights',
        description: 'Replaces the whole set atomically. An empty list removes every operator from the source.',
        params: IdParam,
        body: DistributionSet,
        response: { 200: Type.Array(ref(OperatorWeight), { description: 'The new set, in operator id order' }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.replaceDistribution(db, request.params.id, request.body),
  )

  app.get(
    '/sources/:id/distribution',
    {
      schema: {
        operationId: 'getDistribution',
        tags,
        summary: 'Get the operators of a source and their weights',
        params: IdParam,
        response: { 200: Type.Array(ref(OperatorWeight), { description: 'The set, in operator id order' }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.getDistribution(db, request.params.id),
  )
}
