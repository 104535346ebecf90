import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { actorOf } from '../auth/auth.plugin.js'
import { errorResponses, IdParam, ref } from '../http/schemas.js'
import { DistributionPreview, DistributionSet, OperatorWeight } from './distribution.schemas.js'
import * as service from './distribution.service.js'
import type { RandomSource } from './pick-operator.js'
import { previewDistribution } from './preview.js'

export const distributionRoutes: FastifyPluginAsyncTypebox<{ db: Db; random: RandomSource }> = async (app, { db, random }) => {
  const tags = ['sources']

  app.post(
    '/sources/:id/distribution',
    {
      schema: {
        operationId: 'setDistribution',
        tags,
        summary: 'Set the operators of a source and their weights',
        description:
          'Replaces the whole set atomically. An empty list removes every operator from the source. Operators who may ' +
          "now take the source's waiting contacts get them at once.",
        params: IdParam,
        body: DistributionSet,
        response: { 200: Type.Array(ref(OperatorWeight), { description: 'The new set, in operator id order' }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.replaceDistribution(db, request.params.id, request.body, random, actorOf(request)),
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

  app.get(
    '/sources/:id/distribution/preview',
    {
      schema: {
        operationId: 'previewDistribution',
        tags,
        summary: 'Who would get the next contact now',
        description:
          'Each operator of the source, whether it may take a contact now (else why: inactive, at_capacity, zero_weight) ' +
          'and its probability of getting the next one; writes nothing.',
        params: IdParam,
        response: { 200: ref(DistributionPreview), ...errorResponses(404, 422) },
      },
    },
    async (request) => previewDistribution(db, request.params.id),
  )
}
