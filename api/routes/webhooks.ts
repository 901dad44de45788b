import { Router } from 'express';
import { webhookBodySchema } from '../../domain/webhook-endpoint';
import type { DeliveryRecord, DeliveryRef, EventStore } from '../../store/events';
import type { WebhookRecord, WebhookStore } from '../../store/webhooks';
import { fieldProblem, fromZod, notFound, Problem } from '../problem';

export interface WebhookRouteDeps {
  webhooks: WebhookStore;
  /** Why Sluice may not send to the URL's address (resolved now), or null; deliveries check again each time. */
  webhookAddressProblem(url: string): Promise<{ detail: string; hint: string } | null>;
  /** How long a rotated-out secret stays valid. */
  webhookSecretOverlapSeconds: number;
  events: Pick<EventStore, 'deliveries' | 'reopen' | 'work'>;
  /** Starts the delivery's workflow; false when one is running for it already. */
  startDelivery(ref: DeliveryRef, firstAttempt: number): Promise<boolean>;
}

const deliveryView = (r: DeliveryRecord) => ({
  id: r.id, eventId: r.eventId, eventType: r.eventType, subject: r.subject, status: r.status, createdAt: r.createdAt.toISOString(),
  attempts: r.attempts.map((a) => ({ ...a, at: a.at.toISOString() })),
});

const webhookView = (w: WebhookRecord) => ({
  id: w.id, url: w.url, description: w.description, events: w.events, enabled: w.enabled,
  disabledReason: w.disabledReason, disabledAt: w.disabledAt?.toISOString() ?? null, createdAt: w.createdAt.toISOString(),
  previousSecretValidUntil: w.previousSecretValidUntil?.toISOString() ?? null,
});

export function webhookRoutes(d: WebhookRouteDeps): Router {
  const router = Router();

  // The secret is in this answer only: Sluice keeps it encrypted and never shows it again.
  router.post('/v1/webhooks', async (req, res) => {
    const parsed = webhookBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) throw fromZod(parsed.error);
    const refused = await d.webhookAddressProblem(parsed.data.url);
    if (refused) throw fieldProblem(422, 'Address not allowed', 'url', refused.detail, refused.hint);
    const { webhook, secret } = await d.webhooks.create(req.tenant.id, parsed.data);
    res.status(201).location(`/v1/webhooks/${webhook.id}`).json({ ...webhookView(webhook), secret });
  });

  router.get('/v1/webhooks', async (req, res) => {
    res.json({ webhooks: (await d.webhooks.list(req.tenant.id)).map(webhookView) });
  });

  router.get('/v1/webhooks/:id', async (req, res) => {
    const w = await d.webhooks.get(req.tenant.id, req.params.id);
    if (!w) throw notFound(`webhook ${req.params.id}`);
    res.json(webhookView(w));
  });

  router.delete('/v1/webhooks/:id', async (req, res) => {
    if (!(await d.webhooks.delete(req.tenant.id, req.params.id))) throw notFound(`webhook ${req.params.id}`);
    res.status(204).end();
  });

  // A new secret signs from now on; the one before goes on signing too until previousSecretValidUntil.
  router.post('/v1/webhooks/:id/rotate-secret', async (req, res) => {
    const rotated = await d.webhooks.rotateSecret(req.tenant.id, req.params.id, d.webhookSecretOverlapSeconds);
    if (!rotated) throw notFound(`webhook ${req.params.id}`);
    res.json({ ...webhookView(rotated.webhook), secret: rotated.secret });
  });

  // The delivery log: newest first, each delivery with every attempt and the start of each answer.
  router.get('/v1/webhooks/:id/deliveries', async (req, res) => {
    if (!(await d.webhooks.get(req.tenant.id, req.params.id))) throw notFound(`webhook ${req.params.id}`);
    res.json({ deliveries: (await d.events.deliveries(req.tenant.id, req.params.id, 100)).map(deliveryView) });
  });

  // Sends a delivery again (same webhook-id, so a receiver that has it can tell), on the whole schedule.
  router.post('/v1/webhooks/:id/deliveries/:deliveryId/replay', async (req, res) => {
    const work = await d.events.work(req.params.deliveryId);
    if (!work || work.endpoint?.id !== req.params.id || work.endpoint.tenantId !== req.tenant.id) throw notFound(`delivery ${req.params.deliveryId}`);
    if (!work.endpoint.enabled) throw new Problem(409, 'Endpoint disabled', `webhook ${req.params.id} is disabled`, { hint: 'register the endpoint again once its receiver is back' });
    if (work.status === 'pending') throw new Problem(409, 'Delivery in progress', `delivery ${work.deliveryId} is still being attempted`, { hint: 'wait for its schedule to end, then replay it' });
    await d.events.reopen(req.tenant.id, req.params.id, work.deliveryId);
    await d.startDelivery({ deliveryId: work.deliveryId, tenantId: req.tenant.id, endpointId: req.params.id }, work.attempts + 1);
    res.status(202).json({ id: work.deliveryId, status: 'pending' });
  });

  return router;
}
