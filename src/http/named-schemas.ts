import type { FastifyInstance } from 'fastify'
import type { TSchema } from 'typebox'
import { Contact, ContactAssign, ContactCreate, ContactUpdate } from '../contacts/contacts.schemas.js'
import { DistributionPreview, DistributionSet, OperatorWeight, PreviewOperator } from '../distribution/distribution.schemas.js'
import { Event } from '../events/events.schemas.js'
import { Health } from '../health/health.routes.js'
import { Lead } from '../leads/leads.schemas.js'
import { Operator, OperatorCreate, OperatorUpdate } from '../operators/operators.schemas.js'
import { Source, SourceCreate, SourceUpdate } from '../sources/sources.schemas.js'
import { ContactStats, OperatorContactStats, OperatorShare, SourceContactStats, SourceDistributionStats } from '../stats/stats.schemas.js'
import { Delivery, Webhook, WebhookCreate, WebhookUpdate, WebhookWithSecret } from '../webhooks/webhooks.schemas.js'
import { ErrorBody, FieldProblem } from './schemas.js'

/**
 * Every named schema of the API: each resource, request body and the error, by its `$id`. They are the
 * `components.schemas` of /openapi.json, the names a generated client imports; a route body or response that is
 * one of them is documented as a `$ref` to it (docs.ts). A schema with an `$id` missing here, or a route answering
 * an unnamed object, fails test/http/openapi-contract.test.ts.
 */
export const NAMED_SCHEMAS: readonly TSchema[] = [
  ErrorBody,
  FieldProblem,
  Health,
  Operator,
  OperatorCreate,
  OperatorUpdate,
  Source,
  SourceCreate,
  SourceUpdate,
  DistributionSet,
  OperatorWeight,
  DistributionPreview,
  PreviewOperator,
  Lead,
  Contact,
  ContactCreate,
  ContactUpdate,
  ContactAssign,
  Event,
  ContactStats,
  SourceContactStats,
  OperatorContactStats,
  SourceDistributionStats,
  OperatorShare,
  Webhook,
  WebhookWithSecret,
  WebhookCreate,
  WebhookUpdate,
  Delivery,
]

/** Shared by every route: the serializers resolve `$ref`s to them, and the document lists them. */
export function registerNamedSchemas(app: FastifyInstance): void {
  for (const schema of NAMED_SCHEMAS) app.addSchema(schema)
}
