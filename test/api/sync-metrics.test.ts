// The six sync metrics (design.md §3) as a client reads them, on a quiet source, under a steady writer, and with
// the apply stalled by a lock on the target table. Behaviour with generous bounds (the machine is shared and
// slow), not speed: Idle Time stays near the heartbeat interval while nothing happens, Emit Event Time stays low
// while the sync keeps up, both grow while the apply is stalled and come down after it.
import { freePort } from '../../dev/services';
import { promSample } from '../support/prometheus';
import { uniqueName } from '../support/stack';
import { getSync, sleep, steadyWriter, streamingSync, syncStack, waitForSync, writerTable, type SyncBody, type SyncStack } from './sync-support';

const HEARTBEAT_S = 1;
// "Near the heartbeat interval": a few intervals, with room for a loaded machine.
const IDLE_BOUND_MS = 5 * HEARTBEAT_S * 1000;
const EMIT_BOUND_MS = 2000;

let t: SyncStack;
let id: string;
const table = `public.${uniqueName('measured')}`;

let workerPort: number;

beforeAll(async () => {
  workerPort = await freePort();
  t = await syncStack({ SLUICE_SYNC_METRICS_SECONDS: '1', SLUICE_WORKER_METRICS_PORT: String(workerPort) });
  await writerTable(t.src, table, 1000);
  id = await streamingSync(t.api, table, { heartbeatIntervalSeconds: HEARTBEAT_S });
});

afterAll(async () => {
  if (id) {
    await t.api.call('POST', `/v1/syncs/${id}/pause`);
    await t.api.call('DELETE', `/v1/syncs/${id}`); // drops the slot, which would hold WAL for the rest of the run
  }
  await t?.close();
});

type Metrics = { idleTimeMs: number | null; emitEventTimeMs: number | null; instanceRecords: number; instanceBytes: number; instanceRps: number; instanceBps: number; at: string | null };

/** `count` distinct samples (the metrics of successive GETs, one per new sample), oldest first. */
async function samples(count: number): Promise<Metrics[]> {
  const seen: Metrics[] = [];
  const end = Date.now() + count * 5000 + 10_000;
  while (seen.length < count) {
    if (Date.now() > end) throw new Error(`only ${seen.length} samples: ${JSON.stringify(seen)}`);
    const m: Metrics = (await getSync(t.api, id)).metrics;
    if (m.at && m.at !== seen[seen.length - 1]?.at) seen.push(m);
    await sleep(250);
  }
  return seen;
}

test('a quiet source: Idle Time stays bounded near the heartbeat interval, sample after sample', async () => {
  // A stream has Idle Time from the first commit it applies (its first heartbeat message): the samples from then on.
  await waitForSync(t.api, id, (x) => x.metrics.idleTimeMs !== null);
  const quiet = await samples(8);
  for (const m of quiet) {
    expect(m.idleTimeMs).not.toBeNull();
    expect(m.idleTimeMs!).toBeLessThan(IDLE_BOUND_MS);
  }
});

test('a steady writer: Emit Event Time stays low, records and bytes grow, RPS above zero', async () => {
  const writer = steadyWriter(t.src, table);
  try {
    await sleep(3000); // the rate window fills
    const busy = await samples(6);
    for (const m of busy) {
      expect(m.emitEventTimeMs).not.toBeNull();
      expect(m.emitEventTimeMs!).toBeLessThan(EMIT_BOUND_MS);
      expect(m.idleTimeMs!).toBeLessThan(IDLE_BOUND_MS);
    }
    const [first, last] = [busy[0], busy[busy.length - 1]];
    expect(last.instanceRecords).toBeGreaterThan(first.instanceRecords);
    expect(last.instanceBytes).toBeGreaterThan(first.instanceBytes);
    expect(busy.filter((m) => m.instanceRps > 0).length).toBeGreaterThan(busy.length / 2);
    expect(last.instanceBps).toBeGreaterThan(0);
  } finally {
    await writer.stop();
  }
});

test('a stalled apply (target table locked): Idle and Emit Event Time grow; released, they come down', async () => {
  const writer = steadyWriter(t.src, table, { firstId: 2_000_000 });
  const locker = t.dst;
  try {
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    await sleep(1500); // the apply reaches the lock and waits
    const stalled = await samples(6);
    const [first, last] = [stalled[0], stalled[stalled.length - 1]];
    expect(last.idleTimeMs!).toBeGreaterThan(first.idleTimeMs! + 2000);
    expect(last.emitEventTimeMs!).toBeGreaterThan(first.emitEventTimeMs! + 2000);
    for (let i = 1; i < stalled.length; i++) {
      expect(stalled[i].idleTimeMs!).toBeGreaterThanOrEqual(stalled[i - 1].idleTimeMs!);
      expect(stalled[i].emitEventTimeMs!).toBeGreaterThanOrEqual(stalled[i - 1].emitEventTimeMs!);
    }
    expect(last.idleTimeMs!).toBeGreaterThan(IDLE_BOUND_MS);
  } finally {
    await locker.query('ROLLBACK');
  }
  try {
    // The backlog is applied; then the sync keeps up again with the writer still going.
    const recovered: SyncBody = await waitForSync(t.api, id, (x) => x.metrics.emitEventTimeMs < EMIT_BOUND_MS && x.metrics.idleTimeMs < IDLE_BOUND_MS, 60_000);
    expect(recovered.state).toBe('Running');
  } finally {
    await writer.stop();
  }
});

test('GET /v1/syncs/:id/metrics: the six metrics over the window, the stall visible in it', async () => {
  const res = await t.api.call('GET', `/v1/syncs/${id}/metrics?from=-10m&step=1s`);
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ syncId: id, stepSeconds: 1 });
  expect(body.points.length).toBeGreaterThan(10);
  for (const p of body.points) {
    expect(p).toMatchObject({
      at: expect.any(String), instance: 1, instanceRecords: expect.any(Number), instanceBytes: expect.any(Number),
      instanceRps: expect.any(Number), instanceBps: expect.any(Number),
    });
    expect(p).toHaveProperty('idleTimeMs');
    expect(p).toHaveProperty('emitEventTimeMs');
  }
  // Idle Time is unknown only until the stream applies its first transaction (a heartbeat at the latest).
  const first = body.points.findIndex((p: { idleTimeMs: number | null }) => p.idleTimeMs !== null);
  expect(first).toBeGreaterThanOrEqual(0);
  expect(first).toBeLessThan(5);
  const points: { at: string; idleTimeMs: number; emitEventTimeMs: number | null; instanceRecords: number }[] = body.points.slice(first);
  for (const p of points) expect(p.idleTimeMs).toEqual(expect.any(Number));
  expect(points.map((p) => p.at)).toEqual([...points.map((p) => p.at)].sort()); // oldest first
  // The stall of the previous test shows as a peak, with low values after it.
  const peak = points.reduce((i, p, j) => (p.idleTimeMs > points[i].idleTimeMs ? j : i), 0);
  expect(points[peak].idleTimeMs).toBeGreaterThan(IDLE_BOUND_MS);
  expect(Math.min(...points.slice(peak + 1).map((p) => p.idleTimeMs))).toBeLessThan(IDLE_BOUND_MS);
  expect(points[points.length - 1].instanceRecords).toBeGreaterThan(points[0].instanceRecords);
});

test('Prometheus: the API shows the sync\'s Idle Time, Emit Event Time and retained WAL; its worker, the records it applied', async () => {
  const api = await (await fetch(`${t.api.url}/metrics`)).text();
  expect(promSample(api, 'sluice_sync_idle_time_seconds', { sync: id, tenant: t.s.tenantId })).toEqual(expect.any(Number));
  expect(promSample(api, 'sluice_sync_emit_event_time_seconds', { sync: id })).toEqual(expect.any(Number));
  expect(promSample(api, 'sluice_sync_retained_wal_bytes', { sync: id })).toBeGreaterThanOrEqual(0);
  expect(promSample(api, 'sluice_jobs', { kind: 'sync', state: 'Running' })).toBeGreaterThanOrEqual(1);
  // The writer of the tests above ran after this worker's first sample of the instance.
  const worker = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
  expect(promSample(worker, 'sluice_rows_total', { kind: 'sync' })).toBeGreaterThan(0);
  expect(promSample(worker, 'sluice_bytes_total', { kind: 'sync' })).toBeGreaterThan(0);
});
