// The JSON view of a sync from its record and latest samples: instance, snapshot per table, stream position,
// metrics (stale, rates only while running), slot health and warnings.
import { instanceView, syncView } from '../../api/sync-view';
import type { SyncMetricsSample } from '../../domain/sync-metrics';
import { newSyncJob, newSyncRun, type SyncSnapshot } from '../../domain/sync-job';
import { syncRequestSchema } from '../../domain/sync-request';
import type { SyncRecord } from '../../store/syncs';

const id = 'sync_00112233445566778899';
const { start: _start, ...request } = syncRequestSchema.parse({ source: 'demo', target: 'demo-target', tables: ['orders'], options: { walBudgetBytes: 1 << 20 } });
const now = new Date('2026-03-01T12:00:00Z');
const record = (snapshot: SyncSnapshot, updatedAt = new Date('2026-03-01T11:59:00Z')): SyncRecord => ({
  id, tenantId: 't', kind: 'sync', request, workflowId: `sluice/t/sync/${id}`, createdAt: new Date('2026-03-01T11:00:00Z'), updatedAt, snapshot,
});
const running: SyncSnapshot = {
  ...newSyncRun(newSyncJob(id), '2026-03-01T11:30:00.000Z'),
  state: 'Running', phase: 'streaming', slot: { name: `sluice_${id}`, publication: `sluice_${id}`, consistentPoint: '0/100' },
  tables: [{ table: 'public.orders', strategy: 'key-range', ranges: [{ to: '10' }, { from: '10' }], rangesDone: [0, 1], rowsEstimated: 900, rowsCopied: 1000, bytesCopied: 50_000 }],
};
const sample = (at: string, more: Partial<SyncMetricsSample> = {}): SyncMetricsSample => ({
  jobId: id, run: 1, at: new Date(at), idleMs: 4000, emitMs: 120, records: 1500, bytes: 90_000, rps: 25, bps: 1200,
  appliedLsn: '0/2000', appliedCommitTime: new Date('2026-03-01T11:59:56Z'), slot: { retainedWalBytes: 4096, walStatus: 'reserved', safeWalSize: null, exists: true }, ...more,
});

test('a Created sync: no instance, no metrics, start and delete allowed', () => {
  const v = syncView(record(newSyncJob(id)), { now });
  expect(v).toMatchObject({
    id, state: 'Created', allowedActions: ['start', 'delete'], source: 'demo', target: 'demo-target', tables: ['public.orders'], schema: null,
    mode: 'full+incremental', instance: null, phase: 'none', snapshot: null, stream: null, metrics: null, slot: null, warnings: [], error: null,
    links: { self: `/v1/syncs/${id}`, instances: `/v1/syncs/${id}/instances`, metrics: `/v1/syncs/${id}/metrics` },
  });
});

test('a streaming sync: tables copied, the applied position and the six metrics of its latest sample', () => {
  const v = syncView(record(running), { now, staleAfterMs: 60_000, samples: [sample('2026-03-01T11:59:58Z'), sample('2026-03-01T11:59:53Z', { records: 1400 })] });
  expect(v).toMatchObject({
    state: 'Running', allowedActions: ['pause'], instance: { run: 1, startedAt: '2026-03-01T11:30:00.000Z', finishedAt: null }, phase: 'streaming',
    snapshot: { rowsCopied: 1000, rowsEstimated: 900, tables: [{ table: 'public.orders', rowsCopied: 1000, rowsEstimated: 900, rangesDone: 2, rangesTotal: 2 }] },
    stream: { appliedLsn: '0/2000', appliedCommitTime: '2026-03-01T11:59:56.000Z' },
    metrics: { idleTimeMs: 4000, emitEventTimeMs: 120, instanceRecords: 1500, instanceBytes: 90_000, instanceRps: 25, instanceBps: 1200, at: '2026-03-01T11:59:58.000Z', ageMs: 2000, stale: false },
    slot: { name: `sluice_${id}`, retainedWalBytes: 4096, walStatus: 'reserved', safeWalSize: null, exists: true },
    warnings: [],
  });
});

test('a running sync silent past the bound is stale; samples of an earlier instance are passed over', () => {
  const v = syncView(record({ ...running, run: 2 }), { now, staleAfterMs: 30_000, samples: [sample('2026-03-01T11:59:58Z')] });
  expect(v.metrics).toMatchObject({ idleTimeMs: null, instanceRecords: 1000, instanceRps: 0, at: null, ageMs: 60_000, stale: true });
  expect(v.stream).toEqual({ appliedLsn: null, appliedCommitTime: null });
});

test('a paused sync moves nothing, is never stale, and warns while its slot retains more WAL', () => {
  const paused = { ...running, state: 'Paused' as const };
  const grown = (at: string, retainedWalBytes: number) => sample(at, { rps: 0, bps: 0, slot: { retainedWalBytes, walStatus: 'reserved', safeWalSize: null, exists: true } });
  const v = syncView(record(paused), { now, staleAfterMs: 1, samples: [grown('2026-03-01T11:59:30Z', 3 << 20), grown('2026-03-01T11:59:00Z', 1 << 19)] });
  expect(v.allowedActions).toEqual(['resume', 'restart', 'delete']);
  expect(v.metrics).toMatchObject({ instanceRps: 0, instanceBps: 0, stale: false });
  expect(v.warnings.map((w) => w.code)).toEqual(['wal_over_budget', 'paused_wal_growing']);
});

test('a failed sync shows its error with the suggestion', () => {
  const error = { code: 'slot_lost', message: 'the slot is gone', sqlstate: null, retryable: false, suggestion: 'restart the sync' };
  const v = syncView(record({ ...running, state: 'Failed', error, finishedAt: '2026-03-01T11:50:00.000Z' }), { now });
  expect(v).toMatchObject({ state: 'Failed', allowedActions: ['restart', 'delete'], error, finishedAt: '2026-03-01T11:50:00.000Z' });
});

test('an instance: <syncId>-<n>, its number, status and whole milliseconds', () => {
  const i = { run: 3, state: 'Running' as const, startedAt: new Date('2026-03-01T11:00:00Z'), endedAt: null, durationMs: 1234.56, records: 7, bytes: 70, error: null };
  expect(instanceView(id, i)).toEqual({
    id: `${id}-3`, number: 3, status: 'Running', startedAt: '2026-03-01T11:00:00.000Z', endedAt: null, durationMs: 1235, records: 7, bytes: 70, error: null,
  });
});
