// The notify part of a request, table by table: what is taken (with its default events), what is refused and
// where, and which events go by mail.
import { jobNotifySchema, mailedEvents, syncNotifySchema } from '../../domain/notify-request';

const HOOK = 'wh_0123456789abcdef0123';

test.each([
  ['an address', jobNotifySchema, { emails: ['a@example.com'] }, { emails: ['a@example.com'], events: ['job.completed', 'job.failed', 'job.cancelled'] }],
  ['a webhook with events', jobNotifySchema, { webhooks: [HOOK], events: ['job.progress'] }, { webhooks: [HOOK], events: ['job.progress'] }],
  ['a sync address', syncNotifySchema, { emails: ['a@example.com'] }, { emails: ['a@example.com'], events: ['sync.state_changed', 'sync.alert', 'sync.alert_resolved'] }],
])('takes %s', (_what, schema, input, expected) => {
  expect(schema.parse(input)).toEqual(expected);
});

test.each([
  ['no recipient', jobNotifySchema, {}, 'emails'],
  ['an empty list', jobNotifySchema, { emails: [] }, 'emails'],
  ['not an address', jobNotifySchema, { emails: ['nope'] }, 'emails.0'],
  ['an address twice', jobNotifySchema, { emails: ['a@example.com', 'a@example.com'] }, 'emails'],
  ['eleven addresses', jobNotifySchema, { emails: Array.from({ length: 11 }, (_, i) => `a${i}@example.com`) }, 'emails'],
  ['a URL for a webhook', jobNotifySchema, { webhooks: ['https://example.com/h'] }, 'webhooks.0'],
  ['a sync event for a job', jobNotifySchema, { emails: ['a@example.com'], events: ['sync.alert'] }, 'events.0'],
  ['a job event for a sync', syncNotifySchema, { emails: ['a@example.com'], events: ['job.completed'] }, 'events.0'],
  ['an unknown key', jobNotifySchema, { emails: ['a@example.com'], cc: ['b@example.com'] }, ''],
])('refuses %s at %s', (_what, schema, input, path) => {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
});

test.each([
  [undefined, []],
  [{ events: ['job.completed', 'job.progress', 'job.part_ready'] }, ['job.completed']],
  [{ events: ['sync.alert', 'sync.state_changed'] }, ['sync.alert', 'sync.state_changed']],
])('mailed events of %j: %j', (notify, expected) => {
  expect(mailedEvents(notify as never)).toEqual(expected);
});
