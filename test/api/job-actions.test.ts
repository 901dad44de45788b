// POST /v1/jobs/:id/{pause,resume,restart,cancel} over HTTP.
import type { Client as PgClient } from 'pg';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const table = uniqueName('actions');
const act = (id: string, action: string) => api.call('POST', `/v1/jobs/${id}/${action}`);

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: '20000', SLUICE_PART_PARALLELISM: '1' });
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, label text)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'row ' || g FROM generate_series(1, 600000) g`);
  await src.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

test('pause → 200 Paused; pause again → 409 with the allowed actions; resume → 200 Running; then Completed', async () => {
  const { id } = await (await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job' })).json();
  await waitForState(api, id, ['Running']);
  const paused = await act(id, 'pause');
  expect(paused.status).toBe(200);
  expect(await paused.json()).toMatchObject({ id, state: 'Paused', allowedActions: ['resume', 'restart', 'cancel'] });
  expect((await (await api.call('GET', `/v1/jobs/${id}`)).json()).state).toBe('Paused');

  const again = await expectProblem(await act(id, 'pause'), 409);
  expect(again).toMatchObject({ state: 'Paused', allowedActions: ['resume', 'restart', 'cancel'] });
  expect(again.detail).toContain('pause is not allowed');

  const resumed = await act(id, 'resume');
  expect(resumed.status).toBe(200);
  expect((await resumed.json()).state).toBe('Running');
  const done = await waitForState(api, id, ['Completed']);
  expect(done.progress.rowsDone).toBe(600000);
});

test('a finished job: resume is refused, restart runs it again from the start', async () => {
  const { id } = await (await api.call('POST', '/v1/extractions', { source: 'src', table, columns: ['id'], mode: 'job' })).json();
  const first = await waitForState(api, id, ['Completed']);
  expect(await expectProblem(await act(id, 'resume'), 409)).toMatchObject({ state: 'Completed', allowedActions: ['restart', 'delete'] });

  const restarted = await act(id, 'restart');
  expect(restarted.status).toBe(200);
  expect(await restarted.json()).toMatchObject({ state: 'Queued', progress: { rowsDone: 0 } });
  const second = await waitForState(api, id, ['Completed']);
  expect(second.progress.rowsDone).toBe(600000);
  expect(Date.parse(second.timings.startedAt)).toBeGreaterThan(Date.parse(first.timings.finishedAt));
  const files = await (await api.call('GET', `/v1/jobs/${id}/files`)).json();
  expect(files.rows).toBe(600000);
});

test('cancel → 200 Cancelled; an unknown action is a 404', async () => {
  const { id } = await (await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job' })).json();
  await waitForState(api, id, ['Running']);
  const cancelled = await act(id, 'cancel');
  expect(cancelled.status).toBe(200);
  expect((await cancelled.json()).state).toBe('Cancelled');
  await expectProblem(await act(id, 'explode'), 404);
  await expectProblem(await act('job_nope', 'pause'), 404);
});
