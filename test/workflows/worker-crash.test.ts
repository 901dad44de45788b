// A worker process killed with SIGKILL in the middle of a multi-part job, at each step of a pause and a resume,
// and in the middle of a stream: a new worker finishes the job, and the files hold every row exactly once.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client as PgClient } from 'pg';
import type { ExtractHeartbeat } from '../../activities/extract';
import { listKeys } from '../../connectors/s3/objects';
import { jobPrefix, manifestKey } from '../../domain/plan';
import type { ExtractionSnapshot } from '../../domain/extraction-job';
import { actionSignals } from '../../workflows/extraction-job';
import { finished, joinCsvParts, partContents, queryJob, startExtraction } from '../support/jobs';
import { sourceClient, stackInfo, testEnv, testSluice, uniqueName, type TestSluice } from '../support/stack';

const settings = { SLUICE_TASK_QUEUE: uniqueName('crash'), SLUICE_PART_ROWS: '50000', SLUICE_PART_PARALLELISM: '2', SLUICE_HEARTBEAT_TIMEOUT_SECONDS: '3' };
const table = uniqueName('crash_orders');
let s: TestSluice;
let src: PgClient;
const workers: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/extraction.ts'], {
    cwd: `${__dirname}/../..`, env: { ...process.env, ...testEnv(settings) }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  s = await testSluice(settings);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, customer text, amount numeric(12,2), at timestamptz)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'customer ' || (g % 977), g / 100.0, timestamptz '2025-01-01 00:00+00' + g * interval '1 second' FROM generate_series(1, 1000000) g`);
  await src.query(`ANALYZE ${table}`);
});

// Each test starts its own workers: one left over would take over the parts of the next test's killed worker.
afterEach(async () => {
  await Promise.all(workers.filter((w) => w.exitCode === null && w.signalCode === null).map(killWorker));
});

afterAll(async () => {
  workers.forEach((w) => w.exitCode === null && w.kill('SIGKILL'));
  await src?.end();
  await s?.close();
});

type JobHandle = Awaited<ReturnType<typeof startExtraction>>['handle'];

// Polls the job's own view of itself until `ok`; it must not complete before.
async function until(handle: JobHandle, ok: (snap: ExtractionSnapshot) => boolean): Promise<ExtractionSnapshot> {
  for (;;) {
    const snap = await queryJob(handle);
    if (ok(snap)) return snap;
    expect(snap.state).not.toBe('Completed');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function killWorker(worker: ChildProcess): Promise<void> {
  worker.kill('SIGKILL');
  await once(worker, 'exit');
}

async function expectExactFiles(jobId: string, result: ExtractionSnapshot): Promise<void> {
  expect(result.state).toBe('Completed');
  expect(result.manifest!.rows).toBe(1000000);
  expect(result.manifest!.parts).toHaveLength(20);
  const keys = await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, jobPrefix(s.tenantId, jobId));
  expect(keys.sort()).toEqual([...result.manifest!.parts.map((p) => p.key), manifestKey(s.tenantId, jobId, 1)].sort());
  const csv = joinCsvParts(await partContents(s, result.manifest!));
  const expected = execFileSync('psql', [stackInfo().sourceUrl, '-X', '-q', '-c', `COPY (SELECT * FROM ${table} ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER true)`], {
    env: { ...process.env, PGTZ: 'UTC' }, maxBuffer: 1 << 30,
  }).toString();
  expect(csv === expected).toBe(true); // a plain comparison: a diff of 60 MB would drown the report
  // Its running slot was given back, dead workers notwithstanding.
  expect((await s.rt.db.query('SELECT 1 FROM job_slots WHERE job_id = $1', [jobId])).rowCount).toBe(0);
}

test('SIGKILL of the worker mid-job: a new worker completes it with exactly the right files', async () => {
  const first = startWorkerProcess();
  const { jobId, handle } = await startExtraction(s, { table });
  // Some parts done and 18 of 20 still to do, then kill the worker outright.
  await until(handle, (snap) => snap.state === 'Running' && snap.progress.partsDone >= 2);
  await killWorker(first);

  startWorkerProcess();
  const result = await finished(handle);
  expect(result.attempts).toBeGreaterThanOrEqual(2); // parts in flight on the dead worker ran again
  await expectExactFiles(jobId, result);
});

test('SIGKILL at each step of a paused-then-resumed job: as the pause lands, while paused, and after the resume', async () => {
  let worker = startWorkerProcess();
  const { jobId, handle } = await startExtraction(s, { table });
  await until(handle, (snap) => snap.state === 'Running' && snap.progress.partsDone >= 2);

  // 1. The pause arrives and the worker dies before its parts in flight have stopped.
  await handle.signal(actionSignals.pause);
  await killWorker(worker);
  worker = startWorkerProcess();
  const paused = await until(handle, (snap) => snap.state === 'Paused');
  expect(paused.progress.partsDone).toBeLessThan(20);

  // 2. The worker dies while the job is paused; the resume comes while no worker is up.
  await killWorker(worker);
  await handle.signal(actionSignals.resume);
  worker = startWorkerProcess();
  await until(handle, (snap) => snap.state === 'Running' && snap.progress.partsDone >= paused.progress.partsDone + 2);

  // 3. The worker dies again with the resumed job's parts in flight.
  await killWorker(worker);
  startWorkerProcess();
  await expectExactFiles(jobId, await finished(handle));
});

/** A stream's last heartbeat as Temporal holds it (what the Web UI and `temporal workflow describe` show). */
async function streamHeartbeat(handle: JobHandle): Promise<ExtractHeartbeat | null> {
  const { raw } = await handle.describe();
  const payload = raw.pendingActivities?.find((a) => a.activityType?.name === 'extractRun')?.heartbeatDetails?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<ExtractHeartbeat>(payload) : null;
}

const objectVersions = (keys: string[]) =>
  Promise.all(keys.map(async (Key) => {
    const head = await s.rt.s3.send(new HeadObjectCommand({ Bucket: s.config.SLUICE_S3_BUCKET, Key }));
    return { key: Key, lastModified: head.LastModified!.toISOString(), etag: head.ETag };
  }));

test('SIGKILL mid-stream (a query): the new worker continues after the last uploaded part and rewrites none of the parts before', async () => {
  let worker = startWorkerProcess();
  // No ORDER BY: the table's physical order. The filter keeps every row and pauses 0.2 s every 50,000 rows (a
  // part), so the stream runs long enough to be killed midway.
  const query = `SELECT * FROM ${table} WHERE id % 50000 <> 1 OR pg_sleep(0.2) IS NOT NULL`;
  const { jobId, handle } = await startExtraction(s, { query, compression: 'gzip' });
  let beat: ExtractHeartbeat | null = null;
  while (!beat || beat.parts.length < 3) {
    beat = await streamHeartbeat(handle);
    await new Promise((r) => setTimeout(r, 50));
  }
  await killWorker(worker);
  const kept = beat.parts;
  expect(kept.length).toBeLessThan(20);
  const before = await objectVersions(kept.map((p) => p.key));
  await new Promise((r) => setTimeout(r, 1100)); // S3 times are in whole seconds: a rewrite would show
  worker = startWorkerProcess();

  // The retry reads from the source only what comes after the parts it keeps (pg_stat_activity shows its COPY),
  // and the job says meanwhile why the stream is on its second attempt. Temporal's own view of the execution
  // (describe) tells when it ends, without waiting for a worker as a query would.
  const offsets = new Set<number>();
  let retry: { attempt: number; reason: string } | null = null;
  while ((await handle.describe()).status.name === 'RUNNING') {
    const copies = await src.query<{ query: string }>(`SELECT query FROM pg_stat_activity WHERE application_name = 'sluice' AND query LIKE 'COPY%${table}%'`);
    for (const { query: q } of copies.rows) offsets.add(Number(/ OFFSET (\d+)\)/.exec(q)?.[1] ?? -1));
    retry ??= (await s.rt.partProgress.totals(jobId, 1)).retry;
    await new Promise((r) => setTimeout(r, 100));
  }
  const resumedAt = Math.max(...offsets);
  expect(resumedAt).toBeGreaterThanOrEqual(kept.length * 50000 - 1); // one row early: the seam is checked
  expect((resumedAt + 1) % 50000).toBe(0);
  expect(retry).toEqual({ attempt: 2, reason: expect.stringMatching(/attempt 1 stopped reporting/) });

  const result = await finished(handle);
  expect(result.state).toBe('Completed');
  expect(result.attempts).toBe(2);
  expect(result.manifest!.rows).toBe(1000000);
  expect(result.manifest!.parts).toHaveLength(20);
  expect(result.manifest!.parts.slice(0, kept.length).map((p) => [p.key, p.sha256])).toEqual(kept.map((p) => [p.key, p.sha256]));
  expect(await objectVersions(kept.map((p) => p.key))).toEqual(before); // not written again
  const keys = await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, jobPrefix(s.tenantId, jobId));
  expect(keys.sort()).toEqual([...result.manifest!.parts.map((p) => p.key), manifestKey(s.tenantId, jobId, 1)].sort());
  const csv = joinCsvParts(await partContents(s, result.manifest!));
  const expected = execFileSync('psql', [stackInfo().sourceUrl, '-X', '-q', '-c', `COPY (SELECT * FROM ${table}) TO STDOUT WITH (FORMAT csv, HEADER true)`], {
    env: { ...process.env, PGTZ: 'UTC', PGOPTIONS: '-c synchronize_seqscans=off' }, maxBuffer: 1 << 30,
  }).toString();
  expect(csv === expected).toBe(true);
});
