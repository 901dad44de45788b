import { WorkflowFailedError } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import type { Client as PgClient } from 'pg';
import { listKeys } from '../../connectors/s3/objects';
import { jobPrefix } from '../../domain/plan';
import { actionSignals, progressQuery } from '../../workflows/extraction-job';
import { joinCsvParts, partContents, runExtraction, startExtraction } from '../support/jobs';
import { sourceClient, stackInfo, testSluice, uniqueName, type TestSluice } from '../support/stack';

let s: TestSluice;
let src: PgClient;
const table = uniqueName('items');

const psqlCopy = (sql: string) =>
  execFileSync('psql', [stackInfo().sourceUrl, '-X', '-q', '-c', `COPY (${sql}) TO STDOUT WITH (FORMAT csv, HEADER true)`], {
    env: { ...process.env, PGTZ: 'UTC' }, maxBuffer: 1 << 28,
  }).toString();

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: '1000', SLUICE_PART_PARALLELISM: '3' });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id int PRIMARY KEY, label text, qty numeric, at timestamptz)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'item ' || g, g / 7.0, timestamptz '2025-01-01 00:00+00' + g * interval '1 minute' FROM generate_series(1, 5500) g`);
  await src.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

test('a table with an integer key is extracted as parallel key-range parts equal to COPY', async () => {
  const result = await runExtraction(s, { table, compression: 'gzip' });
  expect(result.state).toBe('Completed');
  expect(result.plan?.strategy).toBe('key-range');
  expect(result.manifest!.parts.length).toBeGreaterThan(1);
  expect(result.manifest!.rows).toBe(5500);
  expect(result.progress).toMatchObject({ rowsDone: 5500, partsDone: result.manifest!.parts.length });
  const csv = joinCsvParts(await partContents(s, result.manifest!));
  expect(csv).toBe(psqlCopy(`SELECT * FROM ${table} ORDER BY id`));
});

test('a query runs as one stream cut into parts, each with the header', async () => {
  const query = `SELECT id, label FROM ${table} WHERE id % 2 = 0 ORDER BY label`;
  const result = await runExtraction(s, { query, compression: 'none' });
  expect(result.plan?.strategy).toBe('single-stream');
  const parts = await partContents(s, result.manifest!);
  expect(parts.length).toBe(3);
  parts.forEach((p) => expect(p.startsWith('id,label\n')).toBe(true));
  expect(joinCsvParts(parts)).toBe(psqlCopy(query));
  expect(result.manifest!.parts.map((p) => p.rows)).toEqual([1000, 1000, 750]);
});

test('an unknown column fails the job at once with the columns the table has', async () => {
  const { handle } = await startExtraction(s, { table, columns: ['id', 'nope'] });
  const err = await handle.result().catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const snapshot = await handle.query(progressQuery);
  expect(snapshot.state).toBe('Failed');
  expect(snapshot.error).toMatchObject({ code: 'undefined_column', sqlstate: '42703', retryable: false });
  expect(snapshot.error!.suggestion).toContain('id, label, qty, at');
  expect(snapshot.attempts).toBe(1); // not retried
});

test('the cancel signal stops the job and removes its files', async () => {
  await src.query(`CREATE TABLE ${table}_slow AS SELECT g AS id FROM generate_series(1, 3) g`);
  const query = `SELECT id, pg_sleep(2) FROM ${table}_slow`;
  const { jobId, handle } = await startExtraction(s, { query });
  while ((await handle.query(progressQuery)).state !== 'Running') await new Promise((r) => setTimeout(r, 100));
  await handle.signal(actionSignals.cancel);
  await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
  expect((await handle.describe()).status.name).toBe('CANCELLED'); // the Web UI shows it as such
  expect((await handle.query(progressQuery)).state).toBe('Cancelled');
  expect(await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, jobPrefix(s.tenantId, jobId))).toEqual([]);
  const record = await s.rt.jobs.get(s.tenantId, jobId);
  expect(record?.snapshot.state).toBe('Cancelled');
});

test('a Temporal cancel request (Web UI, CLI) cancels the job cleanly', async () => {
  const query = `SELECT id, pg_sleep(2) FROM ${table}_slow`;
  const { jobId, handle } = await startExtraction(s, { query });
  while ((await handle.query(progressQuery)).state !== 'Running') await new Promise((r) => setTimeout(r, 100));
  await handle.cancel();
  await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
  expect((await s.rt.jobs.get(s.tenantId, jobId))?.snapshot.state).toBe('Cancelled');
  expect(await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, jobPrefix(s.tenantId, jobId))).toEqual([]);
});

test('operators can filter by tenant and state in the Web UI: search attributes follow the job', async () => {
  const result = await runExtraction(s, { table, columns: ['id'] });
  expect(result.state).toBe('Completed');
  const ids: string[] = [];
  const filter = `SluiceTenant = '${s.tenantId}' AND SluiceJobState = 'Completed'`;
  for (let tries = 0; tries < 50 && !ids.includes(`sluice/${s.tenantId}/extraction/${result.jobId}`); tries++) {
    ids.length = 0;
    for await (const wf of s.temporal.workflow.list({ query: filter })) ids.push(wf.workflowId);
    await new Promise((r) => setTimeout(r, 200)); // visibility is eventually consistent
  }
  expect(ids).toContain(`sluice/${s.tenantId}/extraction/${result.jobId}`);
});
