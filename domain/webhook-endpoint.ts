// A webhook endpoint as the API takes it: where to POST and which events. Pure: whether the address may be
// reached is the HTTP connector's to say (connectors/http/address-guard.ts), when it resolves the name.
import { z } from 'zod';
import { pgText } from './pg-text';
import { eventListSchema, NOTIFICATION_EVENTS } from './notification-events';

const webhookUrl = pgText(z.string().max(2048))
  .superRefine((text, ctx) => {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a URL; write it as https://example.com/hooks/sluice' });
      return;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: `uses ${u.protocol.slice(0, -1)}; webhooks go to http:// or https:// URLs` });
    if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'holds a user or password; Sluice signs its requests instead (see the secret it answers with)' });
  });

export const webhookBodySchema = z.strictObject({
  url: webhookUrl,
  events: eventListSchema(NOTIFICATION_EVENTS),
  description: pgText(z.string().max(200)).optional(),
});
export type WebhookBody = z.infer<typeof webhookBodySchema>;

/** A new signing secret as Standard Webhooks writes it: `whsec_` and the base64 of 24 random bytes. */
export const SECRET_PREFIX = 'whsec_';
