// Extra recipients named in one job's or sync's request: they hear of that job or sync only, beside the
// tenant's standing webhooks and email recipients. Webhooks by the id of a registered endpoint (signed with its
// secret, checked against SSRF when it was registered); email by address. Pure.
import { z } from 'zod';
import { emailAddressSchema } from './email-recipient';
import { EMAIL_EVENTS, eventListSchema, NOTIFICATION_EVENTS, type NotificationEvent } from './notification-events';

const ofKind = (prefix: 'job.' | 'sync.') => NOTIFICATION_EVENTS.filter((e) => e.startsWith(prefix)) as unknown as readonly [NotificationEvent, ...NotificationEvent[]];

const unique = (list: string[]) => new Set(list).size === list.length;

const notifySchema = (events: readonly [NotificationEvent, ...NotificationEvent[]], defaults: NotificationEvent[]) =>
  z
    .strictObject({
      emails: z.array(emailAddressSchema).min(1).max(10).refine(unique, 'lists an address twice').optional().describe('addresses mailed about this one'),
      webhooks: z
        .array(z.string().regex(/^wh_[0-9a-f]{20}$/, 'is not a webhook id; ids look like wh_ and 20 hex digits (GET /v1/webhooks lists yours)'))
        .min(1)
        .max(10)
        .refine(unique, 'lists a webhook twice')
        .optional()
        .describe('registered webhook endpoints that get the events of this one, whatever they subscribe to'),
      events: eventListSchema(events).default(defaults).describe(`the events they hear of (default ${defaults.join(', ')}); email takes those of ${EMAIL_EVENTS.join(', ')}`),
    })
    .refine((n) => n.emails || n.webhooks, { message: 'names no recipient: give "emails", "webhooks" or both', path: ['emails'] });

export const jobNotifySchema = notifySchema(ofKind('job.'), ['job.completed', 'job.failed', 'job.cancelled']);
export const syncNotifySchema = notifySchema(ofKind('sync.'), ['sync.state_changed', 'sync.alert', 'sync.alert_resolved']);
export type NotifyRequest = z.infer<typeof jobNotifySchema>;

/** The events the request's email addresses are sent: those of its events that go by mail. */
export const mailedEvents = (n: Pick<NotifyRequest, 'events'> | undefined): string[] =>
  (n?.events ?? []).filter((e) => (EMAIL_EVENTS as readonly string[]).includes(e));
