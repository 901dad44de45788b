import { Router } from 'express';
import { emailRecipientBodySchema } from '../../domain/email-recipient';
import type { EmailDeliveryRecord, EmailRecipientRecord, EmailStore } from '../../store/email';
import { fromZod, notFound, Problem } from '../problem';

export interface EmailRecipientRouteDeps {
  emails: Pick<EmailStore, 'create' | 'get' | 'list' | 'delete' | 'deliveries'>;
  /** SLUICE_SMTP_URL is set: without it a new recipient would only collect failed deliveries. */
  emailConfigured: boolean;
}

const recipientView = (r: EmailRecipientRecord) => ({
  id: r.id, address: r.address, description: r.description, events: r.events, createdAt: r.createdAt.toISOString(),
});

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
      throw new Problem(409, 'Email not configured', 'this Sluice sends no email: no SMTP server is configured', {
        hint: 'an operator sets SLUICE_SMTP_URL (smtp://user:pass@host:port) on the API and the workers; webhooks work meanwhile',
      });
    }
    const recipient = await d.emails.create(req.tenant.id, parsed.data);
    res.status(201).location(`/v1/email-recipients/${recipient.id}`).json(recipientView(recipient));
  });

  router.get('/v1/email-recipients', async (req, res) => {
    res.json({ emailRecipients: (await d.emails.list(req.tenant.id)).map(recipientView) });
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
