import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { errorResponses, IdParam, ref } from '../http/schemas.js'
import { Event, EventQuery } from './events.schemas.js'
import * as service from './events.service.js'

export const eventRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const tags = ['events']

  app.get(
    '/events',
    {
      schema: {
        operationId: 'listEvents',
        tags,
        summary: 'The event feed: every change of a contact, after a cursor',
        description:
          'Events with an id greater than `after`, in ascending id. Poll with the last id you saw: no event is ever ' +
          'skipped, also with many writers on PostgreSQL (an event appears once every event before it has committed). ' +
          'Filters narrow the page; `operator_id` matches events that gave a contact to the operator or took it away.',
        querystring: EventQuery,
        response: { 200: Type.Array(ref(Event), { description: 'Events in ascending id; empty when there is nothing new' }), ...errorResponses(422) },
      },
    },
    async (request) => service.listEvents(db, request.query),
  )

  app.get(
    '/contacts/:id/events',
    {
      schema: {
        operationId: 'listContactEvents',
        tags,
        summary: "A contact's timeline",
        params: IdParam,
        response: { 200: Type.Array(ref(Event), { description: "The contact's events, oldest first" }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.listContactEvents(db, request.params.id),
  )
}
