import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { actorOf } from '../auth/auth.plugin.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { errorResponses, IdParam, Paging, ref, toPage } from '../http/schemas.js'
import { Source, SourceCreate, SourceUpdate } from './sources.schemas.js'
import * as service from './sources.service.js'

export const sourceRoutes: FastifyPluginAsyncTypebox<{ db: Db; random: RandomSource }> = async (app, { db, random }) => {
  const tags = ['sources']

  app.post(
    '/sources/',
    {
      schema: {
        operationId: 'createSource',
        tags,
        summary: 'Create a source (bot, channel)',
        body: SourceCreate,
        response: { 201: ref(Source, { description: 'The created source' }), ...errorResponses(409, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await service.createSource(db, request.body)),
  )

  app.get(
    '/sources/',
    {
      schema: {
        operationId: 'listSources',
        tags,
        summary: 'List sources',
        querystring: Paging,
        response: { 200: Type.Array(ref(Source), { description: 'Sources in id order' }), ...errorResponses(422) },
      },
    },
    async (request) => service.listSources(db, toPage(request.query)),
  )

  app.get(
    '/sources/:id',
    { schema: { operationId: 'getSource', tags, summary: 'Get a source', params: IdParam, response: { 200: ref(Source), ...errorResponses(404, 422) } } },
    async (request) => service.getSource(db, request.params.id),
  )

  app.patch(
    '/sources/:id',
    {
      schema: {
        operationId: 'updateSource',
        tags,
        summary: 'Rename a source or change its queue settings',
        description: 'Switching `assign_waiting` on gives the waiting contacts of the source out at once. 409 SOURCE_NAME_TAKEN.',
        params: IdParam,
        body: SourceUpdate,
        response: { 200: ref(Source, { description: 'The source as changed' }), ...errorResponses(404, 409, 422) },
      },
    },
    async (request) => service.updateSource(db, request.params.id, request.body, random, actorOf(request)),
  )
}
