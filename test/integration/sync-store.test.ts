// The sync stores on Sluice's database: a sync made in Created without an instance, snapshots recorded across
// instances (an older one never overwrites a newer), metrics kept, bucketed and pruned, a delete that takes
// everything, and extraction lists that never show a sync.
import { randomBytes } from 'node:crypto';
import { workflowIdFor } from '../../api/job-control';
import { extractionRequestSchema } from '../../domain/extraction-request';
import type { SyncMetricsSample } from '../../domain/sync-metrics';
import { newSyncRun, type SyncSnapshot } from '../../domain/sync-job';
import { syncRequestSchema } from '../../domain/sync-request';
import { SyncMetricsStore } from '../../store/sync-metrics';
import { decodeSyncCursor, SyncStore } from '../../store/syncs';
import { testSluice, type TestSluice } from '../support/stack';

let s: TestSluice;
let syncs: SyncStore;
let metrics: SyncMetricsStore;

beforeAll(async () => {
  s = await testSluice();
  syncs = new SyncStore(s.rt.db);
  metrics = new SyncMetricsStore(s.rt.db);
});

afterAll(async () => {
  await s?.close();
});

const { start: _start, ...request } = syncRequestSchema.parse({ source: 'src', target: 'dst', tables: ['public.orders'] });

async function newSync(tenantId = s.tenantId) {
  const id = `sync_${randomBytes(8).toString('hex')}`;
  return syncs.create({ id, tenantId, request, workflowId: `sluice/${tenantId}/sync/${id}` });
}

const sample = (jobId: string, run: number, at: string, more: Partial<SyncMetricsSample> = {}): SyncMetricsSample => ({
  jobId, run, at: new Date(at), idleMs: 1000, emitMs: 50, records: 10, bytes: 1000, rps: 1, bps: 100,
  appliedLsn: '0/16B3748', appliedCommitTime: new Date(at), slot: { retainedWalBytes: 4096, walStatus: 'reserved', safeWalSize: null, exists: true }, ...more,
});

const count = async (table: string, jobId: string) => (await s.rt.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE job_id = $1`, [jobId])).rows[0].n;

test('a new sync is Created, instance 0, with no instance row; get is scoped to its tenant', async () => {
  const sync = await newSync();
  expect(sync).toMatchObject({ kind: 'sync', request, snapshot: { jobId: sync.id, state: 'Created', run: 0, phase: 'none' } });
  expect(await syncs.instances(sync.id)).toEqual([]);
  expect((await syncs.get(s.tenantId, sync.id))?.snapshot.state).toBe('Created');
  expect(await syncs.get('another-tenant', sync.id)).toBeNull();
});

test('snapshots across instances: each start opens an instance; an older instance never overwrites a newer', async () => {
  const sync = await newSync();
  await syncs.recordSnapshot(sync.snapshot); // the workflow's first record: still no instance
  expect(await syncs.instances(sync.id)).toEqual([]);

  const run1: SyncSnapshot = newSyncRun(sync.snapshot, '2026-03-01T10:00:00.000Z');
  await syncs.recordSnapshot(run1);
  const copying: SyncSnapshot = {
    ...run1, state: 'Running', phase: 'snapshot',
    tables: [{ table: 'public.orders', strategy: 'key-range', ranges: [], rangesDone: [], rowsEstimated: 100, rowsCopied: 40, bytesCopied: 4000 }],
  };
  await syncs.recordSnapshot(copying);
  let [one] = await syncs.instances(sync.id);
  expect(one).toMatchObject({ run: 1, state: 'Running', startedAt: new Date('2026-03-01T10:00:00Z'), endedAt: null, records: 40, bytes: 4000, error: null });
  expect(one.durationMs).toBeGreaterThan(Date.now() - Date.parse('2026-03-01T10:00:00Z') - 60_000); // to now while it runs

  const failed: SyncSnapshot = {
    ...copying, state: 'Failed', finishedAt: '2026-03-01T10:05:00.000Z',
    error: { code: 'source_connection_lost', message: 'gone', sqlstate: '08006', retryable: true, suggestion: 'check' },
  };
  await syncs.recordSnapshot(failed);
  const run2 = newSyncRun(failed, '2026-03-01T11:00:00.000Z');
  await syncs.recordSnapshot(run2);
  await syncs.recordSnapshot(failed); // a late write of instance 1: changes nothing
  const record = await syncs.get(s.tenantId, sync.id);
  expect(record?.snapshot).toMatchObject({ run: 2, state: 'Initializing', error: null });

  const instances = await syncs.instances(sync.id);
  expect(instances.map((i) => [i.run, i.state])).toEqual([[2, 'Initializing'], [1, 'Failed']]);
  [, one] = instances;
  expect(one).toMatchObject({ endedAt: new Date('2026-03-01T10:05:00Z'), durationMs: 300_000, records: 40, error: { code: 'source_connection_lost' } });
});

test('list: the tenant\'s syncs newest first, by state, in pages; a cursor of another shape is refused', async () => {
  const mine = await testSluice();
  try {
    const store = new SyncStore(mine.rt.db);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await newSync(mine.tenantId));
    await store.recordSnapshot(newSyncRun(made[0].snapshot, new Date().toISOString()));
    // Newest first; two made in the same millisecond go by id.
    const newestFirst = [...made].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).map((x) => x.id);
    const first = await store.list(mine.tenantId, { limit: 2 });
    expect(first.syncs.map((x) => x.id)).toEqual(newestFirst.slice(0, 2));
    const after = decodeSyncCursor(first.nextCursor!);
    expect(after).not.toBeNull();
    const rest = await store.list(mine.tenantId, { limit: 10, after: after! });
    expect(rest.syncs.map((x) => x.id)).toEqual(newestFirst.slice(2));
    expect(rest.nextCursor).toBeNull();
    expect((await store.list(mine.tenantId, { limit: 10, state: 'Initializing' })).syncs.map((x) => x.id)).toEqual([made[0].id]);
    expect(decodeSyncCursor(Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'job_00aa'])).toString('base64url'))).toBeNull();
  } finally {
    await mine.close();
  }
});

test('metrics: record raises the instance totals, latest, recent and within a window, series in buckets, prune', async () => {
  const sync = await newSync();
  await syncs.recordSnapshot(newSyncRun(sync.snapshot, '2026-03-01T10:00:00.000Z'));
  expect(await metrics.latest(sync.id)).toBeNull();

  await metrics.record(sample(sync.id, 1, '2026-03-01T10:00:01Z', { idleMs: 100, emitMs: 10, records: 100, bytes: 1000, rps: 10, bps: 100, slot: { retainedWalBytes: 1000, walStatus: 'reserved', safeWalSize: 5000, exists: true } }));
  await metrics.record(sample(sync.id, 1, '2026-03-01T10:00:05Z', { idleMs: 900, emitMs: 30, records: 150, bytes: 1500, rps: 20, bps: 300, slot: { retainedWalBytes: 3000, walStatus: 'extended', safeWalSize: 4000, exists: true } }));
  await metrics.record(sample(sync.id, 1, '2026-03-01T10:00:12Z', { idleMs: 200, emitMs: null, records: 170, bytes: 1700, rps: 30, bps: 500, slot: null }));
  await metrics.record(sample(sync.id, 1, '2026-03-01T10:00:11Z', { records: 160, bytes: 1600 })); // arrives late: totals stay
  expect((await syncs.instances(sync.id))[0]).toMatchObject({ records: 170, bytes: 1700 });

  const latest = await metrics.latest(sync.id);
  expect(latest).toEqual({
    jobId: sync.id, run: 1, at: new Date('2026-03-01T10:00:12Z'), idleMs: 200, emitMs: null, records: 170, bytes: 1700, rps: 30, bps: 500,
    appliedLsn: '0/16B3748', appliedCommitTime: new Date('2026-03-01T10:00:12Z'), slot: null,
  });
  const recent = (await metrics.recent([sync.id, 'sync_none'], 2));
  expect(recent.get(sync.id)?.map((m) => m.at.toISOString())).toEqual(['2026-03-01T10:00:12.000Z', '2026-03-01T10:00:11.000Z']);
  expect(recent.has('sync_none')).toBe(false);
  // A window of time however many samples it holds, and the newest sample when the window holds none.
  const atOf = (m: Map<string, { at: Date }[]>) => m.get(sync.id)?.map((x) => x.at.toISOString());
  expect(atOf(await metrics.within([{ jobId: sync.id, seconds: 7 }], new Date('2026-03-01T10:00:12Z')))).toEqual(['2026-03-01T10:00:12.000Z', '2026-03-01T10:00:11.000Z', '2026-03-01T10:00:05.000Z']);
  expect(atOf(await metrics.within([{ jobId: sync.id, seconds: 3600 }, { jobId: 'sync_none', seconds: 60 }], new Date('2026-03-02T10:00:00Z')))).toEqual(['2026-03-01T10:00:12.000Z']);

  const points = await metrics.series(sync.id, { from: new Date('2026-03-01T10:00:00Z'), to: new Date('2026-03-01T10:01:00Z'), stepSeconds: 10 });
  expect(points).toEqual([
    { at: new Date('2026-03-01T10:00:00Z'), run: 1, samples: 2, idleMs: 900, emitMs: 30, records: 150, bytes: 1500, rps: 15, bps: 200, retainedWalBytes: 3000, walStatus: 'extended', safeWalSize: 4000 },
    { at: new Date('2026-03-01T10:00:10Z'), run: 1, samples: 2, idleMs: 1000, emitMs: 50, records: 170, bytes: 1700, rps: 15.5, bps: 300, retainedWalBytes: 4096, walStatus: 'reserved', safeWalSize: null },
  ]);
  // Buckets align on `from`; the end is exclusive.
  const shifted = await metrics.series(sync.id, { from: new Date('2026-03-01T10:00:05Z'), to: new Date('2026-03-01T10:00:12Z'), stepSeconds: 60 });
  expect(shifted.map((p) => [p.at.toISOString(), p.samples])).toEqual([['2026-03-01T10:00:05.000Z', 2]]);

  const pruned = await metrics.prune(new Date('2026-03-01T10:00:06Z'));
  expect(pruned).toBeGreaterThanOrEqual(2);
  expect(await count('sync_metrics', sync.id)).toBe(2);
});

test('a sample of a sync deleted meanwhile is dropped quietly', async () => {
  await expect(metrics.record(sample('sync_0000000000000000', 1, '2026-03-01T10:00:00Z'))).resolves.toBeUndefined();
});

test('delete removes the sync, its instances and its metrics, and only for its tenant', async () => {
  const sync = await newSync();
  await syncs.recordSnapshot(newSyncRun(sync.snapshot, '2026-03-01T10:00:00.000Z'));
  await metrics.record(sample(sync.id, 1, '2026-03-01T10:00:01Z'));
  await syncs.delete('another-tenant', sync.id);
  expect(await syncs.get(s.tenantId, sync.id)).not.toBeNull();
  await syncs.delete(s.tenantId, sync.id);
  expect(await syncs.get(s.tenantId, sync.id)).toBeNull();
  expect(await count('job_runs', sync.id)).toBe(0);
  expect(await count('sync_metrics', sync.id)).toBe(0);
});

test('extraction lists and gets never show a sync, and sync gets never show an extraction', async () => {
  const mine = await testSluice();
  try {
    const sync = await newSync(mine.tenantId);
    const jobId = `job_${randomBytes(8).toString('hex')}`;
    const extraction = extractionRequestSchema.parse({ source: 'src', query: 'SELECT 1', mode: 'job' });
    await mine.rt.jobs.create({ id: jobId, tenantId: mine.tenantId, request: extraction, workflowId: workflowIdFor(mine.tenantId, jobId) });
    expect((await mine.rt.jobs.list(mine.tenantId, { limit: 50 })).jobs.map((j) => j.id)).toEqual([jobId]);
    expect(await mine.rt.jobs.get(mine.tenantId, sync.id)).toBeNull();
    expect((await syncs.list(mine.tenantId, { limit: 50 })).syncs.map((x) => x.id)).toEqual([sync.id]);
    expect(await syncs.get(mine.tenantId, jobId)).toBeNull();
  } finally {
    await mine.close();
  }
});
