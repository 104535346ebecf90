import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { errorResponses, IdParam } from '../http/schemas.js'
import { Contact, ContactCreate, ContactQuery, ContactUpdate } from './contacts.schemas.js'
import * as service from './contacts.service.js'

export const contactRoutes: FastifyPluginAsyncTypebox<{ db: Db; random: RandomSource }> = async (app, { db, random }) => {
  const tags = ['contacts']

  app.post(
    '/contacts/',
    {
      schema: {
        tags,
        summary: 'Register a contact and assign an operator',
        description:
          'Finds or creates the lead by external_id, picks an operator of the source at random in proportion to ' +
          'the weights among those active and under their limit, and stores the contact (operator null if none).',
        body: ContactCreate,
        response: { 201: Contact, ...errorResponses(400, 404, 413, 415, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await service.registerContact(db, request.body, random)),
  )

  app.get(
    '/contacts/',
    { schema: { tags, summary: 'List contacts', querystring: ContactQuery, response: { 200: Type.Array(Contact), ...errorResponses(422) } } },
    async (request) => service.listContacts(db, request.query),
  )

  app.get(
    '/contacts/:id',
    { schema: { tags, summary: 'Get a contact', params: IdParam, response: { 200: Contact, ...errorResponses(404, 422) } } },
    async (request) => service.getContact(db, request.params.id),
  )

  app.patch(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Close a contact',
        params: IdParam,
        body: ContactUpdate,
        response: { 200: Contact, ...errorResponses(400, 404, 422) },
      },
    },
    async (request) => service.closeContact(db, request.params.id),
  )
}
