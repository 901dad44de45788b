import { Router } from 'express';
import { z } from 'zod';
import { emailRecipientBodySchema } from '../../domain/email-recipient';
import type { EmailDeliveryRecord, EmailRecipientRecord, EmailStore } from '../../store/email';
import { emailNotConfigured } from '../notify-check';
import { fromZod, notFound } from '../problem';

export interface EmailRecipientRouteDeps {
  emails: Pick<EmailStore, 'create' | 'get' | 'list' | 'delete' | 'deliveries'>;
  /** SLUICE_SMTP_URL is set: without it a new recipient would only collect failed deliveries. */
  emailConfigured: boolean;
}

const recipientView = (r: EmailRecipientRecord) => ({
  id: r.id, address: r.address, description: r.description, events: r.events, for: r.subject, createdAt: r.createdAt.toISOString(),
});

// ?for=<job or sync id>: the recipients that request named; without it, the tenant's standing ones.
export const emailRecipientsQuerySchema = z.strictObject({ for: z.string().regex(/^(job|sync)_[0-9a-f]{1,40}$/, 'is not a job or sync id').optional() });

const deliveryView = (r: EmailDeliveryRecord) => ({
  id: r.id, eventId: r.eventId, eventType: r.eventType, subject: r.subject, status: r.status, createdAt: r.createdAt.toISOString(),
  attempts: r.attempts.map((a) => ({ ...a, at: a.at.toISOString() })),
});

export function emailRecipientRoutes(d: EmailRecipientRouteDeps): Router {
  const router = Router();
  const found = async (tenantId: string, id: string) => {
    const r = await d.emails.get(tenantId, id);
    if (!r) throw notFound(`email recipient ${id}`);
    return r;
  };

  router.post('/v1/email-recipients', async (req, res) => {
    const parsed = emailRecipientBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) throw fromZod(parsed.error);
    if (!d.emailConfigured) {
      throw emailNotConfigured();
    }
    const recipient = await d.emails.create(req.tenant.id, parsed.data);
    res.status(201).location(`/v1/email-recipients/${recipient.id}`).json(recipientView(recipient));
  });

  router.get('/v1/email-recipients', async (req, res) => {
    const query = emailRecipientsQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod(query.error, 'query');
    res.json({ emailRecipients: (await d.emails.list(req.tenant.id, query.data.for ?? null)).map(recipientView) });
  });

  router.get('/v1/email-recipients/:id', async (req, res) => {
    res.json(recipientView(await found(req.tenant.id, req.params.id)));
  });

  router.delete('/v1/email-recipients/:id', async (req, res) => {
    if (!(await d.emails.delete(req.tenant.id, req.params.id))) throw notFound(`email recipient ${req.params.id}`);
    res.status(204).end();
  });

  // The delivery log: newest first, each delivery with every attempt and the SMTP server's reply.
  router.get('/v1/email-recipients/:id/deliveries', async (req, res) => {
    await found(req.tenant.id, req.params.id);
    res.json({ deliveries: (await d.emails.deliveries(req.tenant.id, req.params.id, 100)).map(deliveryView) });
  });

  return router;
}
