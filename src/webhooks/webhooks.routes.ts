import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../db/database.js'
import { errorResponses, IdParam, ref } from '../http/schemas.js'
import { Delivery, DeliveryParams, DeliveryQuery, Webhook, WebhookCreate, WebhookUpdate, WebhookWithSecret } from './webhooks.schemas.js'
import * as service from './webhooks.service.js'

export interface WebhookRoutesOptions {
  db: Db
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS */
  allowPrivate: boolean
}

export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, { db, allowPrivate }) => {
  const tags = ['webhooks']
  const policy = { allowPrivate }

  app.post(
    '/webhooks',
    {
      schema: {
        operationId: 'createWebhook',
        tags,
        summary: 'Subscribe a receiver to events',
        description:
          'Deliveries are signed by the Standard Webhooks scheme with the secret in the answer, which is shown only here. ' +
          'A URL whose host is or resolves to a non-public address answers 422 unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true.',
        body: WebhookCreate,
        response: { 201: ref(WebhookWithSecret, { description: 'The webhook, with its secret' }), ...errorResponses(422) },
      },
    },
    async (request, reply) => reply.status(201).send(await service.createWebhook(db, request.body, policy)),
  )

  app.get(
    '/webhooks',
    {
      schema: {
        operationId: 'listWebhooks',
        tags,
        summary: 'List webhooks',
        response: { 200: Type.Array(ref(Webhook), { description: 'Webhooks in id order, without their secrets' }) },
      },
    },
    async () => service.listWebhooks(db),
  )

  app.get(
    '/webhooks/:id',
    { schema: { operationId: 'getWebhook', tags, summary: 'Get a webhook', params: IdParam, response: { 200: ref(Webhook), ...errorResponses(404, 422) } } },
    async (request) => service.getWebhook(db, request.params.id),
  )

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        operationId: 'updateWebhook',
        tags,
        summary: 'Change a webhook: url, events, description, enabled',
        params: IdParam,
        body: WebhookUpdate,
        response: { 200: ref(Webhook), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.updateWebhook(db, request.params.id, request.body, policy),
  )

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        operationId: 'deleteWebhook',
        tags,
        summary: 'Delete a webhook and its deliveries',
        params: IdParam,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(404, 422) },
      },
    },
    async (request, reply) => {
      await service.deleteWebhook(db, request.params.id)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        operationId: 'rotateWebhookSecret',
        tags,
        summary: 'Replace the signing secret',
        description: 'The new secret signs every attempt from now on, retries of earlier deliveries included.',
        params: IdParam,
        response: { 200: ref(WebhookWithSecret, { description: 'The webhook, with its new secret' }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.rotateSecret(db, request.params.id),
  )

  app.post(
    '/webhooks/:id/test',
    {
      schema: {
        operationId: 'testWebhook',
        tags,
        summary: 'Send a webhook.test event',
        params: IdParam,
        response: { 202: ref(Delivery, { description: 'The test delivery, due at once' }), ...errorResponses(404, 422) },
      },
    },
    async (request, reply) => reply.status(202).send(await service.sendTest(db, request.params.id)),
  )

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: "A webhook's deliveries, newest first",
        params: IdParam,
        querystring: DeliveryQuery,
        response: { 200: Type.Array(ref(Delivery), { description: 'Deliveries, newest first' }), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.listDeliveries(db, request.params.id, request.query),
  )

  app.post(
    '/webhooks/:id/deliveries/:delivery_id/retry',
    {
      schema: {
        operationId: 'retryWebhookDelivery',
        tags,
        summary: 'Send a delivery again now',
        description: 'Makes the delivery due at once, whatever its status; a failed delivery that fails again stays failed.',
        params: DeliveryParams,
        response: { 200: ref(Delivery), ...errorResponses(404, 422) },
      },
    },
    async (request) => service.retryDelivery(db, request.params.id, request.params.delivery_id),
  )
}
