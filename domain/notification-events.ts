// What Sluice tells its users about, by webhook or email: the event types an endpoint subscribes to. Pure.
import { z } from 'zod';

export const NOTIFICATION_EVENTS = [
  'job.completed', 'job.failed', 'job.cancelled', 'job.part_ready', 'job.progress',
  'sync.alert', 'sync.alert_resolved', 'sync.state_changed',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** Those a person may be mailed: the ones that happen a few times a job or sync, not progress by the second. */
export const EMAIL_EVENTS = [
  'job.completed', 'job.failed', 'job.cancelled', 'sync.alert', 'sync.alert_resolved', 'sync.state_changed',
] as const satisfies readonly NotificationEvent[];
export type EmailEvent = (typeof EMAIL_EVENTS)[number];

/** The events a webhook or a recipient subscribes to, as the API takes them: at least one, none twice. */
export const eventListSchema = <E extends readonly [string, ...string[]]>(events: E) =>
  z.array(z.enum(events)).min(1).refine((e) => new Set(e).size === e.length, 'lists an event twice');
