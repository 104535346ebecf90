import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifySchemaCompiler } from 'fastify'
import { Type, type TSchema } from 'typebox'
import type { Db } from '../db/database.js'
import { actorOf } from '../auth/auth.plugin.js'
import type { RandomSource } from '../distribution/pick-operator.js'
import { errorResponses, IdParam, ref } from '../http/schemas.js'
import { validatorCompiler } from '../http/validator.js'
import {
  Contact,
  ContactAssign,
  ContactCreate,
  ContactCreated,
  ContactCreateHeaders,
  ContactQuery,
  ContactUpdate,
  IDEMPOTENCY_KEY_HEADER,
} from './contacts.schemas.js'
import * as service from './contacts.service.js'
import type { PokedJob } from '../jobs.js'
import { registerContactOnce } from './idempotency.service.js'

export interface ContactRoutesOptions {
  db: Db
  random: RandomSource
  /** How long an Idempotency-Key is remembered (config.idempotencyKeyTtlHours). */
  idempotencyKeyTtlHours: number
  /** Live keys one client may hold, 0 for no cap (config.idempotencyKeysPerClient). */
  idempotencyKeysPerClient: number
  /** Deletes expired keys; poked by each request that carries one. */
  keyCleanup: PokedJob
}

/** Header validation only when the request carries the key: requests without it pay nothing for the feature. */
const validateKeyOnlyWhenSent: FastifySchemaCompiler<TSchema> = (route) => {
  const validate = validatorCompiler(route)
  if (route.httpPart !== 'headers') return validate
  return (headers) => (headers as Record<string, unknown> | null)?.[IDEMPOTENCY_KEY_HEADER] === undefined || validate(headers)
}

export const contactRoutes: FastifyPluginAsyncTypebox<ContactRoutesOptions> = async (app, options) => {
  const { db, random, idempotencyKeyTtlHours, idempotencyKeysPerClient, keyCleanup } = options
  const tags = ['contacts']

  app.post(
    '/contacts/',
    {
      schema: {
        operationId: 'registerContact',
        tags,
        summary: 'Register a contact and assign an operator',
        description:
          'Finds or creates the lead by external_id, picks an operator of the source at random in proportion to ' +
          'the weights among those active and under their limit, and stores the contact (operator null if none).',
        headers: ContactCreateHeaders,
        body: ContactCreate,
        response: { 201: ContactCreated, ...errorResponses(404, 422, ...(idempotencyKeysPerClient > 0 ? [429 as const] : [])) },
      },
      validatorCompiler: validateKeyOnlyWhenSent,
    },
    async (request, reply) => {
      const key = request.headers[IDEMPOTENCY_KEY_HEADER]
      if (key === undefined) return reply.status(201).send(await service.registerContact(db, request.body, random, actorOf(request)))
      // Keys are per API key (0 while the API is open), so two clients never see each other's answers.
      const ref = { scope: request.principal?.keyId ?? 0, key }
      const { contact, replayed } = await registerContactOnce(db, request.body, random, {
        ref,
        actor: actorOf(request),
        ttlHours: idempotencyKeyTtlHours,
        keysPerClient: idempotencyKeysPerClient,
      })
      keyCleanup.poke()
      if (replayed) void reply.header('idempotent-replayed', 'true')
      return reply.status(201).send(contact)
    },
  )

  app.get(
    '/contacts/',
    {
      schema: {
        operationId: 'listContacts',
        tags,
        summary: 'List contacts',
        querystring: ContactQuery,
        response: { 200: Type.Array(ref(Contact), { description: 'Contacts in id order' }), ...errorResponses(422) },
      },
    },
    async (request) => service.listContacts(db, request.query),
  )

  app.get(
    '/contacts/:id',
    { schema: { operationId: 'getContact', tags, summary: 'Get a contact', params: IdParam, response: { 200: ref(Contact), ...errorResponses(404, 422) } } },
    async (request) => service.getContact(db, request.params.id),
  )

  app.patch(
    '/contacts/:id',
    {
      schema: {
        operationId: 'closeContact',
        tags,
        summary: 'Close a contact',
        description: "Frees the operator's slot, which goes at once to the oldest waiting contact the operator may take.",
        params: IdParam,
        body: ContactUpdate,
        response: { 200: ref(Contact, { description: 'The contact, closed' }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.closeContact(db, request.params.id, random, actorOf(request)),
  )

  app.post(
    '/contacts/:id/assign',
    {
      schema: {
        operationId: 'assignContact',
        tags,
        summary: 'Assign, move or unassign a contact (supervisor)',
        description:
          'Gives a waiting contact to an operator or moves an active one; the previous operator\'s slot is freed and the ' +
          'queue drained. `operator_id: null` hands it back to the queue: to another operator who may take it, never ' +
          'straight back, or it waits in its original place. 409 CONTACT_CLOSED, OPERATOR_UNAVAILABLE (inactive or ' +
          'deleted), OPERATOR_AT_CAPACITY (unless `force`).',
        params: IdParam,
        body: ContactAssign,
        response: { 200: ref(Contact, { description: 'The contact, with its operator now (or null while it waits)' }), ...errorResponses(404, 409, 422) },
      },
    },
    async (request) => service.assignContact(db, request.params.id, request.body, random, actorOf(request)),
  )
}
