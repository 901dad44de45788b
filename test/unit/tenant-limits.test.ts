// A tenant's limits, table by table: its own values over the defaults, the UTC day, which daily quota is spent,
// Retry-After, and the patch the admin surface takes.
import { effectiveLimits, retryAfterSeconds, spentQuota, tenantLimitsPatchSchema, utcDay, type Limits } from '../../domain/tenant-limits';

const DEFAULTS: Limits = { runningJobs: 4, inlineConcurrent: 2, dailyRows: null, dailyBytes: 1000, requestsPerMinute: 600 };

test.each([
  ['none of its own: the defaults', {}, DEFAULTS],
  ['its own where set', { runningJobs: 1, dailyRows: 50 }, { ...DEFAULTS, runningJobs: 1, dailyRows: 50 }],
  ['zero is a value, not a default', { inlineConcurrent: 0, dailyBytes: 0 }, { ...DEFAULTS, inlineConcurrent: 0, dailyBytes: 0 }],
])('%s', (_name, own, expected) => {
  expect(effectiveLimits(own, DEFAULTS)).toEqual(expected);
});

test.each([
  ['2026-11-28T00:00:00Z', '2026-11-28T00:00:00Z', '2026-11-29T00:00:00Z'],
  ['2026-11-28T23:59:59.999Z', '2026-11-28T00:00:00Z', '2026-11-29T00:00:00Z'],
  ['2026-12-31T12:00:00Z', '2026-12-31T00:00:00Z', '2027-01-01T00:00:00Z'],
])('the UTC day of %s', (now, start, end) => {
  expect(utcDay(new Date(now))).toEqual({ start: new Date(start), end: new Date(end) });
});

test.each([
  [{ dailyRows: null, dailyBytes: null }, { rows: 1e12, bytes: 1e12 }, null],
  [{ dailyRows: 100, dailyBytes: null }, { rows: 99, bytes: 0 }, null],
  [{ dailyRows: 100, dailyBytes: null }, { rows: 100, bytes: 0 }, 'dailyRows'],
  [{ dailyRows: 100, dailyBytes: 10 }, { rows: 0, bytes: 10 }, 'dailyBytes'],
  [{ dailyRows: 0, dailyBytes: null }, { rows: 0, bytes: 0 }, 'dailyRows'],
] as const)('limits %j, used %j: spent %s', (limits, used, spent) => {
  expect(spentQuota(limits, used)).toBe(spent);
});

test.each([
  ['2026-11-28T23:59:00Z', '2026-11-29T00:00:00Z', 60],
  ['2026-11-28T23:59:59.200Z', '2026-11-29T00:00:00Z', 1],
  ['2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z', 1],
])('Retry-After from %s to %s: %i s', (now, until, seconds) => {
  expect(retryAfterSeconds(new Date(now), new Date(until))).toBe(seconds);
});

test('the patch: numbers, null for the default again, nothing else', () => {
  expect(tenantLimitsPatchSchema.parse({ runningJobs: 2, dailyRows: null })).toEqual({ runningJobs: 2, dailyRows: null });
  expect(tenantLimitsPatchSchema.safeParse({ runningJobs: 0 }).success).toBe(false);
  expect(tenantLimitsPatchSchema.safeParse({ dailyRows: -1 }).success).toBe(false);
  expect(tenantLimitsPatchSchema.safeParse({ requestsPerMinute: 1.5 }).success).toBe(false);
  expect(tenantLimitsPatchSchema.safeParse({ maxEverything: 1 }).success).toBe(false);
});
