// A full+incremental sync under a steady writer survives anything: its worker killed with SIGKILL again and again
// (during the snapshot and while streaming), the walsender and the snapshot readers terminated on the source, and
// its Temporal server restarted. Each time a new attempt carries on; at the end the target equals the source row
// by row (no change lost, none applied twice), and the target's watermark never moved back.
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { ensureBinaries } from '../../dev/binaries';
import { freePort, startTemporal, type TemporalService } from '../../dev/services';
import { compareLsn } from '../../connectors/postgres/sync/wal-reader';
import { sourceClient, stackInfo, startApi, testEnv, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { createSyncTables, dumpTable, sourceMarker, startWriter, SYNC_TABLES } from '../support/sync-writer';

const ROWS = 60_000;
const schema = uniqueName('crash');
let temporalDir: string;
let temporalPort: number;
let temporal: TemporalService;
let settings: Record<string, string>;
let s: TestSluice;
let api: TestApi;
let src: PgClient;
let dst: PgClient;
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    cwd: join(__dirname, '..', '..'), env: { ...process.env, ...testEnv(settings) }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.push(child);
  return child;
}

// Until the worker polls its task queue (its default identity is pid@host): a worker still starting when Temporal
// goes away fails to connect and exits, which is not what the restart below is about.
async function untilPolling(worker: ChildProcess): Promise<void> {
  for (;;) {
    expectAlive(worker);
    // The type left out is the workflow task queue's.
    const { pollers } = await s.temporal.workflowService.describeTaskQueue({ namespace: s.config.TEMPORAL_NAMESPACE, taskQueue: { name: s.config.SLUICE_TASK_QUEUE } });
    if (pollers?.some((p) => p.identity?.startsWith(`${worker.pid}@`))) return;
    await sleep(200);
  }
}

async function kill(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  worker.kill('SIGKILL');
  await once(worker, 'exit');
}

beforeAll(async () => {
  temporalDir = mkdtempSync(join(tmpdir(), 'sluice-temporal-sync-crash-'));
  temporalPort = await freePort();
  temporal = await startTemporal(await ensureBinaries(), temporalDir, temporalPort);
  settings = { TEMPORAL_ADDRESS: temporal.address, SLUICE_TASK_QUEUE: uniqueName('sync_crash'), SLUICE_HEARTBEAT_TIMEOUT_SECONDS: '3', SLUICE_SYNC_METRICS_SECONDS: '1' };
  s = await testSluice(settings);
  api = await startApi(s);
  src = await sourceClient();
  dst = new PgClient({ connectionString: stackInfo().targetUrl });
  await dst.connect();
  await createSyncTables(src, schema, ROWS);
  expect((await api.call('PUT', '/v1/connections/dst', { url: stackInfo().targetUrl, roles: ['target'] })).status).toBeLessThan(300);
});

afterAll(async () => {
  await Promise.all(workers.map(kill));
  await api?.close();
  await src?.end();
  await dst?.end();
  await s?.close();
  await temporal?.stop();
  if (temporalDir) rmSync(temporalDir, { recursive: true, force: true });
});

const view = async (id: string) => (await api.call('GET', `/v1/syncs/${id}`)).json();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Watches the target's watermark for the sync; `moves` records every value it took, `backwards` any step back. */
function watchWatermark(jobId: string) {
  const seen = { last: null as string | null, moves: 0, backwards: [] as string[] };
  let on = true;
  const done = (async () => {
    while (on) {
      const res = await dst.query(`SELECT lsn::text FROM _sluice.sync_watermarks WHERE job_id = $1`, [jobId]).catch(() => null);
      const lsn = res?.rows[0]?.lsn as string | undefined;
      if (lsn && seen.last && compareLsn(lsn, seen.last) < 0) seen.backwards.push(`${seen.last} → ${lsn}`);
      if (lsn && lsn !== seen.last) seen.moves++;
      if (lsn) seen.last = lsn;
      await sleep(50);
    }
  })();
  return { seen, stop: async () => { on = false; await done; } };
}

// Only this sync's sessions: other test files share the cluster and must not lose theirs.
const terminate = (where: string, value: string) =>
  src.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE ${where}`, [value]).then((r) => r.rows[0].n as number);

/** A worker that exited without being killed (an uncaught error takes the process down) stops the test at once. */
function expectAlive(worker: ChildProcess): void {
  if (worker.exitCode !== null || worker.signalCode !== null) throw new Error(`the worker exited by itself (${worker.exitCode ?? worker.signalCode}); its output is above`);
}

test('SIGKILLs during the snapshot and the stream, killed walsenders and readers, a Temporal restart: target == source', async () => {
  let worker = startWorker();
  const made = await api.call('POST', '/v1/syncs', {
    source: 'src', target: 'dst', schema, mode: 'full+incremental', start: true,
    options: { rowsPerRange: 4000, snapshotParallelism: 2, heartbeatIntervalSeconds: 1 },
  });
  expect(made.status).toBe(201);
  const { id } = await made.json();
  const writer = startWriter(src, schema, ROWS);
  let watch: ReturnType<typeof watchWatermark> | null = null;
  const phases: string[] = [];
  const killed = { readers: 0, walsenders: 0 };

  // Ten kills (four during the snapshot, six while streaming), each once the sync has moved on since the one before (a range copied, the watermark advanced)
  // and at a staggered moment after; each followed by a new worker. The source's own sessions are cut too.
  let lastProgress = '';
  for (let round = 0; round < 10; round++) {
    for (let waited = 0; ; waited += 100) {
      expectAlive(worker);
      const sync = await view(id);
      expect(sync.state).not.toBe('Failed');
      const progress = JSON.stringify([sync.snapshot?.rowsCopied, sync.stream?.appliedLsn]);
      if (progress !== lastProgress && (round < 4 || sync.phase === 'streaming')) {
        lastProgress = progress;
        phases.push(sync.phase);
        if (sync.phase === 'streaming') watch ??= watchWatermark(id);
        break;
      }
      if (waited > 120_000) throw new Error(`the sync made no progress: ${JSON.stringify(sync)}`);
      await sleep(100);
    }
    await sleep((round * 397) % 900);
    if (round === 1) killed.readers += await terminate(`backend_type = 'client backend' AND query LIKE 'COPY (SELECT%' AND position($1 IN query) > 0`, `"${schema}"`);
    if (round % 3 === 2) killed.walsenders += await terminate(`backend_type = 'walsender' AND application_name = $1`, `sluice-stream-sluice_${id}`);
    await kill(worker);
    worker = startWorker();
  }

  // The scheduler itself goes away and comes back with its state (same database file and port).
  await untilPolling(worker);
  await temporal.stop();
  await sleep(1000);
  temporal = await startTemporal(await ensureBinaries(), temporalDir, temporalPort);

  // Let the stream run on, then stop writing and wait until the target has everything.
  await sleep(3000);
  const writes = await writer.stop();
  expect(writes).toBeGreaterThan(100);
  const marker = await sourceMarker(src);
  watch ??= watchWatermark(id);
  for (let waited = 0; ; waited += 200) {
    const res = await dst.query(`SELECT lsn >= $2::pg_lsn AS ok FROM _sluice.sync_watermarks WHERE job_id = $1`, [id, marker]);
    if (res.rows[0]?.ok) break;
    expectAlive(worker);
    const sync = await view(id);
    expect(sync.state).not.toBe('Failed');
    // Not a speed check: a stream that has stopped moving says why, rather than running into the test's timeout.
    if (waited > 240_000) throw new Error(`the stream stopped short of the source's last change: ${JSON.stringify(sync)}`);
    await sleep(200);
  }
  await watch.stop();
  expect(watch.seen.backwards).toEqual([]);
  expect(watch.seen.moves).toBeGreaterThan(1);

  const sync = await view(id);
  expect(sync.state).toBe('Running');
  expect(phases).toContain('snapshot');
  expect(phases).toContain('streaming');
  expect(killed.walsenders).toBeGreaterThan(0);
  for (const [table, key] of SYNC_TABLES) {
    expect(dumpTable(stackInfo().targetUrl, schema, table, key) === dumpTable(stackInfo().sourceUrl, schema, table, key)).toBe(true);
  }
  // One instance: crashes and retries are not new instances.
  const instances = (await (await api.call('GET', `/v1/syncs/${id}/instances`)).json()).instances;
  expect(instances).toHaveLength(1);
}, 600_000);
