import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { errorResponses, IdParam, Paging, ref, toPage } from '../http/schemas.js'
import { Operator, OperatorCreate, OperatorUpdate } from './operators.schemas.js'
import * as service from './operators.service.js'

export const operatorRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const tags = ['operators']

  app.post(
    '/operators/',
    {
      schema: {
        operationId: 'createOperator',
        tags,
        summary: 'Create an operator',
        body: OperatorCreate,
        response: { 201: ref(Operator, { description: 'The created operator' }), ...errorResponses(422) },
      },
    },
    async (request, reply) => reply.status(201).send(await service.createOperator(db, request.body)),
  )

  app.get(
    '/operators/',
    {
      schema: {
        operationId: 'listOperators',
        tags,
        summary: 'List operators',
        querystring: Paging,
        response: { 200: Type.Array(ref(Operator), { description: 'Operators in id order' }), ...errorResponses(422) },
      },
    },
    async (request) => service.listOperators(db, toPage(request.query)),
  )

  app.get(
    '/operators/:id',
    { schema: { operationId: 'getOperator', tags, summary: 'Get an operator', params: IdParam, response: { 200: ref(Operator), ...errorResponses(404, 422) } } },
    async (request) => service.getOperator(db, request.params.id),
  )

  app.patch(
    '/operators/:id',
    {
      schema: {
        operationId: 'updateOperator',
        tags,
        summary: 'Update name, activity or load limit',
        params: IdParam,
        body: OperatorUpdate,
        response: { 200: ref(Operator, { description: 'The operator as changed' }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.updateOperator(db, request.params.id, request.body),
  )

  app.delete(
    '/operators/:id',
    {
      schema: {
        operationId: 'deleteOperator',
        tags,
        summary: 'Delete an operator',
        description:
          'Removes its weights; its active contacts return to the unassigned pool; closed contacts keep it as their operator.',
        params: IdParam,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(404, 422) },
      },
    },
    async (request, reply) => {
      await service.deleteOperator(db, request.params.id)
      return reply.status(204).send(null)
    },
  )
}
