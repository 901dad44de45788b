// What the audit log keeps and how it names it, table by table.
import { actionOf, audited, auditQuerySchema, outcomeOf, REQUEST_ID } from '../../domain/audit';

test.each([
  ['POST', '/v1/extractions', 202, true],
  ['DELETE', '/v1/jobs/:id', 204, true],
  ['POST', '/v1/syncs/:id/pause', 409, true],
  ['GET', '/v1/jobs/:id', 200, false], // a status read
  ['GET', '/v1/jobs', 200, false],
  ['GET', '/v1/jobs/:id/files', 200, true], // links to the data
  ['GET', '/v1/downloads/:token', 206, true],
  ['GET', '/v1/jobs/:id', 401, true], // refused for who sent it
  ['GET', '/v1/syncs', 403, true],
  ['HEAD', '/v1/jobs/:id', 200, false],
] as const)('%s %s answered %i: audited %s', (method, route, status, expected) => {
  expect(audited(method, route, status)).toBe(expected);
});

test.each([
  ['POST', '/v1/extractions', 'extractions.create'],
  ['GET', '/v1/jobs/:id/files', 'jobs.files'],
  ['POST', '/v1/syncs/:id/pause', 'syncs.pause'],
  ['DELETE', '/v1/webhooks/:id', 'webhooks.delete'],
  ['PUT', '/v1/connections/:name', 'connections.put'],
  ['POST', '/v1/webhooks/:id/deliveries/:deliveryId/replay', 'webhooks.deliveries.replay'],
  ['POST', '/admin/v1/keys/:id/revoke', 'admin.keys.revoke'],
  ['POST', '/v1', 'api.create'],
])('%s %s is %s', (method, route, action) => {
  expect(actionOf(method, route)).toBe(action);
});

test.each([[200, 'ok'], [302, 'ok'], [400, 'refused'], [429, 'refused'], [500, 'failed'], [503, 'failed']] as const)('%i is %s', (status, outcome) => {
  expect(outcomeOf(status)).toBe(outcome);
});

test('request ids: kept when plain, replaced when not', () => {
  expect(REQUEST_ID.test('req-1234.abc:5')).toBe(true);
  expect(REQUEST_ID.test('a'.repeat(129))).toBe(false);
  expect(REQUEST_ID.test('bad id\n')).toBe(false);
});

test('the audit query: filters, a page size, a numeric cursor', () => {
  expect(auditQuerySchema.parse({ outcome: 'refused', limit: '20' })).toEqual({ outcome: 'refused', limit: 20 });
  expect(auditQuerySchema.safeParse({ cursor: "1; DROP TABLE audit_log" }).success).toBe(false);
  expect(auditQuerySchema.safeParse({ outcome: 'maybe' }).success).toBe(false);
  expect(auditQuerySchema.safeParse({ from: 'yesterday' }).success).toBe(false);
  expect(auditQuerySchema.safeParse({ wat: 1 }).success).toBe(false);
});
