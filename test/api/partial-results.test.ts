// A job that fails or is cancelled after some parts finished offers those parts, in a manifest marked
// incomplete, until they expire; a restart before then runs it again. (The table disappears mid-job to make
// later parts fail.)
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { Client as PgClient } from 'pg';
import { listKeys } from '../../connectors/s3/objects';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: '20000', SLUICE_PART_PARALLELISM: '1', SLUICE_FILE_TTL_SECONDS: '8', SLUICE_ACTIVITY_MAX_ATTEMPTS: '2' });
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

async function failMidway(table: string): Promise<string> {
  await src.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, label text)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'row ' || g FROM generate_series(1, 600000) g`);
  await src.query(`ANALYZE ${table}`);
  const { id } = await (await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job', compression: 'none' })).json();
  for (;;) {
    const job = await (await api.call('GET', `/v1/jobs/${id}`)).json();
    if (job.progress.partsDone >= 2) break;
    expect(job.state).not.toBe('Completed');
    await new Promise((r) => setTimeout(r, 20));
  }
  await src.query(`DROP TABLE ${table}`);
  return id;
}

test('the finished parts of a failed job are listed as incomplete, download, and expire', async () => {
  const id = await failMidway(uniqueName('vanishing'));
  const failed = await waitForState(api, id, ['Failed']);
  expect(failed.error.retryable).toBe(false);
  expect(failed.files.expireAt).toEqual(expect.any(String));
  expect(failed.allowedActions).toEqual(['restart', 'delete']);

  const files = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
  expect(files.complete).toBe(false);
  expect(files.parts.length).toBeGreaterThanOrEqual(2);
  expect(files.parts.length).toBeLessThan(30);
  for (const part of files.parts) {
    const csv = await (await fetch(part.url)).text();
    expect(csv.split('\n').length - 2).toBe(part.rows); // header and final newline
  }

  for (;;) {
    const job = await (await api.call('GET', `/v1/jobs/${id}`)).json();
    if (job.files.expiredAt) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await expectProblem(await api.call('GET', `/v1/jobs/${id}/files`), 410);
});

test('a cancelled job keeps its finished parts, and nothing else, until they expire', async () => {
  const table = uniqueName('cancelled');
  await src.query(`CREATE TABLE ${table} AS SELECT g::bigint AS id, 'row ' || g AS label FROM generate_series(1, 600000) g`);
  await src.query(`ANALYZE ${table}`);
  const { id } = await (await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job', compression: 'none' })).json();
  await waitForState(api, id, ['Running']);
  for (;;) {
    const job = await (await api.call('GET', `/v1/jobs/${id}`)).json();
    if (job.progress.partsDone >= 2) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const cancelled = await api.call('POST', `/v1/jobs/${id}/cancel`);
  expect(cancelled.status).toBe(200);
  expect(await cancelled.json()).toMatchObject({ state: 'Cancelled', files: { expireAt: expect.any(String) } });

  const files = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
  expect(files.complete).toBe(false);
  expect(files.parts.length).toBeGreaterThanOrEqual(2);
  const prefix = `tenants/${s.tenantId}/jobs/${id}/runs/1/`;
  const stored = await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, prefix);
  expect(stored.sort()).toEqual([...files.parts.map((p: { fileName: string }) => prefix + p.fileName), `${prefix}manifest.json`].sort());
  const uploads = await s.rt.s3.send(new ListMultipartUploadsCommand({ Bucket: s.config.SLUICE_S3_BUCKET, Prefix: prefix }));
  expect(uploads.Uploads ?? []).toEqual([]);

  for (;;) {
    const job = await (await api.call('GET', `/v1/jobs/${id}`)).json();
    if (job.files.expiredAt) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, prefix)).toEqual([]);
});

test('a failed job restarted before its parts expire runs again from the start', async () => {
  const table = uniqueName('returning');
  const id = await failMidway(table);
  await waitForState(api, id, ['Failed']);
  await src.query(`CREATE TABLE ${table} AS SELECT g::bigint AS id FROM generate_series(1, 1000) g`);
  const restarted = await api.call('POST', `/v1/jobs/${id}/restart`);
  expect(restarted.status).toBe(200);
  const done = await waitForState(api, id, ['Completed']);
  expect(done.progress.rowsDone).toBe(1000);
  expect(done.error).toBeNull();
});
