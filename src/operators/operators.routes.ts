import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { actorOf } from '../auth/auth.plugin.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { errorResponses, IdParam, Paging, ref, toPage } from '../http/schemas.js'
import { Operator, OperatorCreate, OperatorUpdate } from './operators.schemas.js'
import * as service from './operators.service.js'

export const operatorRoutes: FastifyPluginAsyncTypebox<{ db: Db; random: RandomSource }> = async (app, { db, random }) => {
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
        description: 'Switching an operator on or raising its limit gives it at once the oldest waiting contacts it may take.',
        params: IdParam,
        body: OperatorUpdate,
        response: { 200: ref(Operator, { description: 'The operator as changed' }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.updateOperator(db, request.params.id, request.body, random, actorOf(request)),
  )

  app.post(
    '/operators/:id/requeue',
    {
      schema: {
        operationId: 'requeueOperator',
        tags,
        summary: 'End a shift: switch the operator off and hand its contacts back',
        description:
          'Sets the operator inactive and hands all its active contacts back to the queue, each redistributed at once ' +
          'where another operator may take it, in one transaction.',
        params: IdParam,
        response: { 200: ref(Operator, { description: 'The operator, switched off' }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.requeueOperator(db, request.params.id, random, actorOf(request)),
  )

  app.delete(
    '/operators/:id',
    {
      schema: {
        operationId: 'deleteOperator',
        tags,
        summary: 'Delete an operator',
        description:
          'Removes its weights; its active contacts go at once to other operators who may take them, or wait in the ' +
          'queue; closed contacts keep it as their operator.',
        params: IdParam,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(404, 422) },
      },
    },
    async (request, reply) => {
      await service.deleteOperator(db, request.params.id, random, actorOf(request))
      return reply.status(204).send(null)
    },
  )
}
