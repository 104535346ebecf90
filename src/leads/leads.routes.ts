import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Contact } from '../contacts/contacts.schemas.js'
import { listContacts } from '../contacts/contacts.service.js'
import type { Db } from '../db/database.js'
import { errorResponses, IdParam, Paging, ref, toPage } from '../http/schemas.js'
import { Lead } from './leads.schemas.js'
import * as service from './leads.service.js'

export const leadRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const tags = ['leads']

  app.get(
    '/leads/',
    {
      schema: {
        operationId: 'listLeads',
        tags,
        summary: 'List leads',
        querystring: Paging,
        response: { 200: Type.Array(ref(Lead), { description: 'Leads in id order' }), ...errorResponses(422) },
      },
    },
    async (request) => service.listLeads(db, toPage(request.query)),
  )

  app.get(
    '/leads/:id',
    { schema: { operationId: 'getLead', tags, summary: 'Get a lead', params: IdParam, response: { 200: ref(Lead), ...errorResponses(404, 422) } } },
    async (request) => service.getLead(db, request.params.id),
  )

  app.get(
    '/leads/:id/contacts',
    {
      schema: {
        operationId: 'listLeadContacts',
        tags,
        summary: "List a lead's contacts, from every source",
        params: IdParam,
        querystring: Paging,
        response: { 200: Type.Array(ref(Contact), { description: "The lead's contacts in id order" }), ...errorResponses(404, 422) },
      },
    },
    async (request) => {
      await service.getLead(db, request.params.id)
      return listContacts(db, { ...toPage(request.query), lead_id: request.params.id })
    },
  )
}
