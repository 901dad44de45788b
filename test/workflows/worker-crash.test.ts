// A worker process killed with SIGKILL in the middle of a multi-part job, and at each step of a pause and a
// resume: a new worker finishes the job, and the files hold every row exactly once.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Client as PgClient } from 'pg';
import { listKeys } from '../../connectors/s3/objects';
import { jobPrefix, manifestKey } from '../../domain/plan';
import type { ExtractionSnapshot } from '../../domain/extraction-job';
import { actionSignals, progressQuery } from '../../workflows/extraction-job';
import { finished, joinCsvParts, partContents, startExtraction } from '../support/jobs';
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

afterAll(async () => {
  workers.forEach((w) => w.exitCode === null && w.kill('SIGKILL'));
  await src?.end();
  await s?.close();
});

type JobHandle = Awaited<ReturnType<typeof startExtraction>>['handle'];

// Polls the job's own view of itself until `ok`; it must not complete before.
async function until(handle: JobHandle, ok: (snap: ExtractionSnapshot) => boolean): Promise<ExtractionSnapshot> {
  for (;;) {
    const snap = await handle.query(progressQuery);
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
