// Which queued jobs get a running slot: queue order, the global limit and the per-tenant limit (the default, or
// the tenant's own).
import { jobsToAdmit, waitReason, type QueueEntry } from '../../domain/job-queue';

// Entries written as "tenant:job" (waiting) or "tenant:job*" (holds a slot), in queue order.
const queue = (...specs: string[]): QueueEntry[] =>
  specs.map((spec) => {
    const [tenantId, job] = spec.split(':');
    return { tenantId, jobId: job.replace('*', ''), granted: job.endsWith('*') };
  });

const withLimit = (tenantId: string, tenantLimit: number, entries: QueueEntry[]) =>
  entries.map((e) => (e.tenantId === tenantId ? { ...e, tenantLimit } : e));

const cases: [string, QueueEntry[], { global: number; perTenant: number }, string[]][] = [
  ['an empty queue admits nothing', queue(), { global: 2, perTenant: 2 }, []],
  ['free slots go to the first jobs in order', queue('a:1', 'b:2', 'a:3'), { global: 2, perTenant: 2 }, ['1', '2']],
  ['one below the global limit: one more starts', queue('a:1*', 'b:2', 'c:3'), { global: 2, perTenant: 5 }, ['2']],
  ['at the global limit: nothing starts', queue('a:1*', 'b:2*', 'c:3'), { global: 2, perTenant: 5 }, []],
  ['a tenant at its limit is skipped, later tenants start', queue('a:1*', 'a:2', 'b:3'), { global: 5, perTenant: 1 }, ['3']],
  ['one below the tenant limit: one more of that tenant', queue('a:1*', 'a:2', 'a:3'), { global: 5, perTenant: 2 }, ['2']],
  ['tenant limit counts the slots granted in this round', queue('a:1', 'a:2', 'a:3', 'b:4'), { global: 5, perTenant: 2 }, ['1', '2', '4']],
  ['granted entries anywhere in the queue count', queue('a:1', 'b:2', 'a:3*'), { global: 2, perTenant: 1 }, ['2']],
  ['the global limit stops the round even when later tenants are free', queue('a:1', 'b:2', 'c:3'), { global: 1, perTenant: 1 }, ['1']],
  ['everything fits: everything starts', queue('a:1', 'b:2', 'c:3'), { global: 10, perTenant: 10 }, ['1', '2', '3']],
  ['a tenant limit of its own over the default', withLimit('a', 3, queue('a:1*', 'a:2', 'a:3', 'a:4', 'b:5')), { global: 10, perTenant: 1 }, ['2', '3', '5']],
  ['a tenant limit of its own under the default', withLimit('a', 1, queue('a:1*', 'a:2', 'b:3', 'b:4')), { global: 10, perTenant: 2 }, ['3', '4']],
];

test.each(cases)('%s', (_name, entries, limits, admitted) => {
  expect(jobsToAdmit(entries, limits)).toEqual(admitted);
});

test.each([
  [0, 'global_limit'],
  [2, 'global_limit'],
  [3, 'tenant_limit'],
  [4, 'tenant_limit'],
] as const)('a waiting job whose tenant runs %i of 3 waits for the %s', (tenantRunning, reason) => {
  expect(waitReason(tenantRunning, { global: 10, perTenant: 3 })).toBe(reason);
});

test('a tenant limit of its own decides why its job waits', () => {
  expect(waitReason(2, { global: 10, perTenant: 3 }, 2)).toBe('tenant_limit');
  expect(waitReason(2, { global: 10, perTenant: 1 }, 5)).toBe('global_limit');
});
