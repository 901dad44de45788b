// Webhook endpoints and their delivery log, email recipients and theirs, and sync alerts.
import { emailRecipientBodySchema } from '../../domain/email-recipient';
import { webhookBodySchema } from '../../domain/webhook-endpoint';
import { alertsQuerySchema } from '../routes/alerts';
import { emailRecipientsQuerySchema } from '../routes/email-recipients';
import { inputSchema, pathParameter, queryParameters } from './json-schema';
import { badPath } from './paths-connections';
import { json, linksTo, locationHeader, noContent, operation, type PathItem } from './operation';

const webhookId = pathParameter('id', 'the endpoint id: wh_ and 20 hex digits');
const recipientId = pathParameter('id', 'the recipient id: rcp_ and 20 hex digits');
const webhook = (description: string) =>
  json(description, { type: 'object', description: '{id, url, description, events, enabled, disabledReason, disabledAt, createdAt, previousSecretValidUntil}' });
const recipient = (description: string) => json(description, { type: 'object', description: '{id, address, description, events, for, createdAt}' });
const deliveries = json('{deliveries: [{id, eventId, eventType, subject, status, createdAt, attempts: [...]}]}, newest first, at most 100');
const toWebhook = linksTo(['getWebhook', 'rotateWebhookSecret', 'listWebhookDeliveries', 'deleteWebhook'], 'id', 'id');
const toRecipient = linksTo(['getEmailRecipient', 'listEmailDeliveries', 'deleteEmailRecipient'], 'id', 'id');
const emailOff = 'No SMTP server is configured (SLUICE_SMTP_URL)';

export const notificationPaths: Record<string, PathItem> = {
  '/v1/webhooks': {
    post: operation({
      operationId: 'createWebhook', tag: 'Webhooks', summary: 'Registers a webhook endpoint', body: { schema: inputSchema(webhookBodySchema) },
      responses: { 201: { ...webhook('The endpoint with its secret (whsec_…), shown this once'), headers: locationHeader, links: toWebhook } },
      errors: { 422: 'The URL\'s address is one Sluice may not reach (loopback, private, link-local, metadata), or does not resolve' },
    }),
    get: operation({ operationId: 'listWebhooks', tag: 'Webhooks', summary: "The tenant's endpoints (never a secret)", responses: { 200: json('{webhooks: [...]}') } }),
  },
  '/v1/webhooks/{id}': {
    get: operation({ operationId: 'getWebhook', tag: 'Webhooks', summary: 'An endpoint', parameters: [webhookId], responses: { 200: webhook('The endpoint') }, errors: { ...badPath, 404: undefined } }),
    delete: operation({ operationId: 'deleteWebhook', tag: 'Webhooks', summary: 'Deletes an endpoint', parameters: [webhookId], responses: { 204: noContent('Deleted') }, errors: { ...badPath, 404: undefined } }),
  },
  '/v1/webhooks/{id}/rotate-secret': {
    post: operation({
      operationId: 'rotateWebhookSecret', tag: 'Webhooks', summary: 'A new secret; the one before stays valid until previousSecretValidUntil', parameters: [webhookId],
      responses: { 200: webhook('The endpoint with its new secret') }, errors: { ...badPath, 404: undefined },
    }),
  },
  '/v1/webhooks/{id}/deliveries': {
    get: operation({ operationId: 'listWebhookDeliveries', tag: 'Webhooks', summary: 'The delivery log', parameters: [webhookId], responses: { 200: deliveries }, errors: { ...badPath, 404: undefined } }),
  },
  '/v1/webhooks/{id}/deliveries/{deliveryId}/replay': {
    post: operation({
      operationId: 'replayWebhookDelivery', tag: 'Webhooks', summary: 'Sends a finished delivery again, same webhook-id, on the whole schedule',
      parameters: [webhookId, pathParameter('deliveryId', 'the delivery id (its webhook-id)')],
      responses: { 202: json('{id, status: pending}') },
      errors: { ...badPath, 404: undefined, 409: 'The delivery is still being attempted, or the endpoint is disabled' },
    }),
  },
  '/v1/email-recipients': {
    post: operation({
      operationId: 'createEmailRecipient', tag: 'Email', summary: 'Registers an address mailed the events it names', body: { schema: inputSchema(emailRecipientBodySchema) },
      responses: { 201: { ...recipient('The recipient'), headers: locationHeader, links: toRecipient } }, errors: { 409: emailOff },
    }),
    get: operation({
      operationId: 'listEmailRecipients', tag: 'Email', summary: "The tenant's standing recipients, or (for=) those a job's or sync's request named",
      parameters: queryParameters(emailRecipientsQuerySchema), responses: { 200: json('{emailRecipients: [...]}') }, errors: { 400: undefined },
    }),
  },
  '/v1/email-recipients/{id}': {
    get: operation({ operationId: 'getEmailRecipient', tag: 'Email', summary: 'A recipient', parameters: [recipientId], responses: { 200: recipient('The recipient') }, errors: { ...badPath, 404: undefined } }),
    delete: operation({ operationId: 'deleteEmailRecipient', tag: 'Email', summary: 'Deletes a recipient', parameters: [recipientId], responses: { 204: noContent('Deleted') }, errors: { ...badPath, 404: undefined } }),
  },
  '/v1/email-recipients/{id}/deliveries': {
    get: operation({ operationId: 'listEmailDeliveries', tag: 'Email', summary: 'The delivery log, with the SMTP server\'s replies', parameters: [recipientId], responses: { 200: deliveries }, errors: { ...badPath, 404: undefined } }),
  },
  '/v1/alerts': {
    get: operation({
      operationId: 'listAlerts', tag: 'Alerts', summary: 'Sync alerts, newest first: open ones and (state=all) those resolved in the last 7 days',
      parameters: queryParameters(alertsQuerySchema),
      responses: { 200: json('{alerts: [{id, syncId, instance, kind, message, state, openedAt, resolvedAt}]}') }, errors: { 400: undefined },
    }),
  },
};
