// Pause, resume, restart and cancel, as the API sends them (updates) and as the Web UI sends them (signals).
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { execFileSync } from 'node:child_process';
import type { Client as PgClient } from 'pg';
import { listKeys } from '../../connectors/s3/objects';
import { jobPrefix, manifestKey } from '../../domain/plan';
import { ACTION_NOT_ALLOWED, actionSignals, actionUpdates, progressQuery, type extractionJob } from '../../workflows/extraction-job';
import { finished, joinCsvParts, partContents, startExtraction } from '../support/jobs';
import { sourceClient, stackInfo, testSluice, uniqueName, type TestSluice } from '../support/stack';

let s: TestSluice;
let src: PgClient;
let expectedCsv: string;
const table = uniqueName('lifecycle');
type Handle = WorkflowHandle<typeof extractionJob>;

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: '20000', SLUICE_PART_PARALLELISM: '1' });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, label text, at timestamptz)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'row ' || g, timestamptz '2025-01-01 00:00+00' + g * interval '1 second' FROM generate_series(1, 1000000) g`);
  await src.query(`ANALYZE ${table}`);
  expectedCsv = execFileSync('psql', [stackInfo().sourceUrl, '-X', '-q', '-c', `COPY (SELECT * FROM ${table} ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER true)`], {
    env: { ...process.env, PGTZ: 'UTC' }, maxBuffer: 1 << 30,
  }).toString();
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

async function runningWithPartsDone(handle: Handle, parts: number) {
  for (;;) {
    const snap = await handle.query(progressQuery);
    expect(snap.state).not.toBe('Completed');
    if (snap.state === 'Running' && snap.progress.partsDone >= parts) return snap;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(() => null, (e) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(err.cause).toBeInstanceOf(ApplicationFailure);
  expect(err.cause.type).toBe(ACTION_NOT_ALLOWED);
  return err.cause.details[0];
};

test('pause keeps finished parts and stops the rest; resume runs only the parts not done; the files are exact', async () => {
  const { handle } = await startExtraction(s, { table, compression: 'none' });
  await runningWithPartsDone(handle, 1);
  const paused = await handle.executeUpdate(actionUpdates.pause);
  expect(paused.state).toBe('Paused');
  expect(paused.progress.partsDone).toBeGreaterThanOrEqual(1);
  expect(paused.progress.partsDone).toBeLessThan(50);
  expect((await handle.describe()).raw.pendingActivities ?? []).toEqual([]); // nothing in flight while paused

  expect(await refusal(handle.executeUpdate(actionUpdates.pause))).toEqual({ state: 'Paused', allowed: ['resume', 'restart', 'cancel'] });
  const resumed = await handle.executeUpdate(actionUpdates.resume);
  expect(resumed.state).toBe('Running');
  expect(await refusal(handle.executeUpdate(actionUpdates.resume))).toEqual({ state: 'Running', allowed: ['pause', 'cancel'] });

  const result = await finished(handle);
  expect(result.state).toBe('Completed');
  expect(result.progress).toMatchObject({ rowsDone: 1000000, partsDone: 50, partsTotal: 50 });
  expect(joinCsvParts(await partContents(s, result.manifest!)) === expectedCsv).toBe(true);
});

test('restart from Paused discards the files and runs the whole job again', async () => {
  const { handle } = await startExtraction(s, { table });
  await runningWithPartsDone(handle, 2);
  await handle.executeUpdate(actionUpdates.pause);
  const restarted = await handle.executeUpdate(actionUpdates.restart);
  expect(['Queued', 'Running']).toContain(restarted.state);
  const result = await finished(handle);
  expect(result.state).toBe('Completed');
  expect(result.progress).toMatchObject({ rowsDone: 1000000, partsDone: 50 });
  expect(joinCsvParts(await partContents(s, result.manifest!)) === expectedCsv).toBe(true);
});

test('the Web UI way: pause and cancel as signals; cancel keeps only the finished parts, in an incomplete manifest', async () => {
  const { jobId, handle } = await startExtraction(s, { table });
  await runningWithPartsDone(handle, 1);
  await handle.signal(actionSignals.pause);
  while ((await handle.query(progressQuery)).state !== 'Paused') await new Promise((r) => setTimeout(r, 50));
  await handle.signal(actionSignals.cancel);
  const cancelled = await finished(handle);
  expect(cancelled.state).toBe('Cancelled');
  expect(cancelled.manifest).toMatchObject({ complete: false });
  expect(cancelled.manifest!.parts.length).toBeGreaterThanOrEqual(1);
  const prefix = jobPrefix(s.tenantId, jobId);
  expect((await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, prefix)).sort()).toEqual([...cancelled.manifest!.parts.map((p) => p.key), manifestKey(s.tenantId, jobId, 1)].sort());
  expect((await s.rt.jobs.get(s.tenantId, jobId))?.snapshot.state).toBe('Cancelled');
});

test('a refused signal changes nothing', async () => {
  const { handle } = await startExtraction(s, { table, columns: ['id'] });
  await runningWithPartsDone(handle, 1);
  await handle.signal(actionSignals.resume); // not allowed while Running: ignored
  expect((await finished(handle)).state).toBe('Completed');
});
