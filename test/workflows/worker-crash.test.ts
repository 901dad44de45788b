// A worker process killed with SIGKILL in the middle of a multi-part job: a new worker finishes the job, and
// the files hold every row exactly once.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Client as PgClient } from 'pg';
import { listKeys } from '../../connectors/s3/objects';
import { jobPrefix } from '../../domain/plan';
import { progressQuery } from '../../workflows/extraction';
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

test('SIGKILL of the worker mid-job: a new worker completes it with exactly the right files', async () => {
  const first = startWorkerProcess();
  const { jobId, handle } = await startExtraction(s, { table });
  // Wait until some parts are done and 18 of 20 are still to do, then kill the worker outright.
  for (;;) {
    const snap = await handle.query(progressQuery);
    if (snap.state === 'Running' && snap.progress.partsDone >= 2) break;
    expect(snap.state).not.toBe('Completed');
    await new Promise((r) => setTimeout(r, 20));
  }
  first.kill('SIGKILL');
  await once(first, 'exit');

  startWorkerProcess();
  const result = await finished(handle);
  expect(result.state).toBe('Completed');
  expect(result.attempts).toBeGreaterThanOrEqual(2); // parts in flight on the dead worker ran again
  expect(result.manifest!.rows).toBe(1000000);
  expect(result.manifest!.parts).toHaveLength(20);

  const keys = await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, jobPrefix(s.tenantId, jobId));
  expect(keys.sort()).toEqual([...result.manifest!.parts.map((p) => p.key), `${jobPrefix(s.tenantId, jobId)}manifest.json`].sort());
  const csv = joinCsvParts(await partContents(s, result.manifest!));
  const expected = execFileSync('psql', [stackInfo().sourceUrl, '-X', '-q', '-c', `COPY (SELECT * FROM ${table} ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER true)`], {
    env: { ...process.env, PGTZ: 'UTC' }, maxBuffer: 1 << 30,
  }).toString();
  expect(csv === expected).toBe(true); // a plain comparison: a diff of 60 MB would drown the report
});
