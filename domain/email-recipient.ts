// An email recipient as the API takes it: one address and the events it is mailed. Pure.
import { z } from 'zod';
import { pgText } from './pg-text';
import { EMAIL_EVENTS, eventListSchema } from './notification-events';

// One mailbox, no display name: the address goes into the envelope as is.
export const emailAddressSchema = z.email({ error: 'is not an email address; write it as ops@example.com' }).max(254);

export const emailRecipientBodySchema = z.strictObject({
  address: emailAddressSchema,
  events: eventListSchema(EMAIL_EVENTS),
  description: pgText(z.string().max(200)).optional(),
});
export type EmailRecipientBody = z.infer<typeof emailRecipientBodySchema>;
