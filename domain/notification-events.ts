// What Sluice tells its users about, by webhook or email: the event types an endpoint subscribes to. Pure.
export const NOTIFICATION_EVENTS = [
  'job.completed', 'job.failed', 'job.cancelled', 'job.part_ready', 'job.progress',
  'sync.alert', 'sync.alert_resolved', 'sync.state_changed',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
