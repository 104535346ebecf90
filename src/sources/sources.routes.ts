import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { errorResponses, IdParam, Paging, ref, toPage } from '../http/schemas.js'
import { Source, SourceCreate } from './sources.schemas.js'
import * as service from './sources.service.js'

export const sourceRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
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
}
