// Files expire a set time after completion: a workflow of their own sleeps on a durable timer and deletes them
// (the job's execution has ended: the Web UI shows it Completed), the job's record stays, /files answers 410
// Gone, and links never outlive the files. (A 4 s lifetime stands in for the 12 h default.)
import type { Client as PgClient } from 'pg';
import { listKeys } from '../../connectors/s3/objects';
import { jobPrefix } from '../../domain/plan';
import { expiryWorkflowId } from '../../workflows/file-expiry';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const table = uniqueName('expiring');

beforeAll(async () => {
  s = await testSluice({ SLUICE_FILE_TTL_SECONDS: '4' });
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 100) g`);
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

async function expiredJob(id: string) {
  for (;;) {
    const job = await (await api.call('GET', `/v1/jobs/${id}`)).json();
    if (job.files.expiredAt) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('files are deleted when they expire; the job stays, /files is 410, and a restart extracts again', async () => {
  const { id } = await (await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job' })).json();
  const done = await waitForState(api, id, ['Completed']);
  expect(Date.parse(done.files.expireAt) - Date.parse(done.timings.finishedAt)).toBe(4000);

  const files = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
  expect(Date.parse(files.linksExpireAt)).toBeLessThanOrEqual(Date.parse(files.filesExpireAt));
  expect(new URL(files.parts[0].url).searchParams.get('X-Amz-Expires')).toMatch(/^[1-4]$/); // not 12 hours

  const expired = await expiredJob(id);
  expect(expired).toMatchObject({ state: 'Completed', progress: { rowsDone: 100 } });
  expect(await listKeys(s.rt.s3, s.config.SLUICE_S3_BUCKET, jobPrefix(s.tenantId, id))).toEqual([]);
  const gone = await expectProblem(await api.call('GET', `/v1/jobs/${id}/files`), 410);
  expect(gone.hint).toContain('restart');

  const restarted = await api.call('POST', `/v1/jobs/${id}/restart`);
  expect(restarted.status).toBe(200);
  expect(await restarted.json()).toMatchObject({ run: 2 });
  const again = await waitForState(api, id, ['Completed']);
  expect(again).toMatchObject({ run: 2, files: { expiredAt: null } });
  expect((await api.call('GET', `/v1/jobs/${id}/files`)).status).toBe(200);

  // Each run is an instance of the job, with its own counts and times.
  const { runs } = await (await api.call('GET', `/v1/jobs/${id}/runs`)).json();
  expect(runs).toMatchObject([
    { run: 2, state: 'Completed', records: 100, endedAt: expect.any(String) },
    { run: 1, state: 'Completed', records: 100, endedAt: done.timings.finishedAt },
  ]);
  for (const r of runs) expect(r.durationMs).toBe(Date.parse(r.endedAt) - Date.parse(r.startedAt));
});

test("a completed job's execution has ended; DELETE removes its files and record, and ends the wait for expiry", async () => {
  const slow = await testSluice({ SLUICE_FILE_TTL_SECONDS: '3600' });
  await slow.startWorker();
  const slowApi = await startApi(slow);
  try {
    const { id } = await (await slowApi.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job' })).json();
    await waitForState(slowApi, id, ['Completed']);
    const job = await slow.rt.jobs.get(slow.tenantId, id);
    const execution = slow.temporal.workflow.getHandle(job!.workflowId);
    const expiry = slow.temporal.workflow.getHandle(expiryWorkflowId(job!.workflowId, 1));
    await execution.result();
    expect((await execution.describe()).status.name).toBe('COMPLETED');
    expect((await expiry.describe()).status.name).toBe('RUNNING'); // keeping the files until they expire
    expect((await slowApi.call('DELETE', `/v1/jobs/${id}`)).status).toBe(204);
    expect((await slowApi.call('GET', `/v1/jobs/${id}`)).status).toBe(404);
    expect(await listKeys(slow.rt.s3, slow.config.SLUICE_S3_BUCKET, jobPrefix(slow.tenantId, id))).toEqual([]);
    await expiry.result();
    expect((await expiry.describe()).status.name).toBe('COMPLETED'); // cancelled before its time: nothing left to do
  } finally {
    await slowApi.close();
    await slow.close();
  }
});
