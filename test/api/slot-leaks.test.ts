// A running slot is given back whatever way a job stops running: cancel, pause, or its workflow terminated
// from outside Sluice. One slot in all, in a Sluice database of its own, so each test sees who holds it.
import type { Client as PgClient } from 'pg';
import { ownSluiceDatabase, sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const table = uniqueName('slots');
// Sleeps 10 ms a row: runs for minutes unless stopped.
const slowQuery = 'SELECT g, pg_sleep(0.01) FROM generate_series(1, 100000) g';

const submit = async (body: Record<string, unknown>): Promise<string> => {
  const res = await api.call('POST', '/v1/extractions', { source: 'src', mode: 'job', ...body });
  expect(res.status).toBe(202);
  return (await res.json()).id;
};
const act = async (id: string, action: string) => {
  const res = await api.call('POST', `/v1/jobs/${id}/${action}`);
  expect(res.status).toBe(200);
  return res.json();
};
const get = async (id: string) => (await api.call('GET', `/v1/jobs/${id}`)).json();

beforeAll(async () => {
  s = await testSluice({
    SLUICE_DATABASE_URL: await ownSluiceDatabase(),
    SLUICE_MAX_RUNNING_JOBS: '1',
    SLUICE_TENANT_MAX_RUNNING_JOBS: '1',
    SLUICE_SLOT_SWEEP_SECONDS: '1',
  });
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 10) g`);
});

// A test that fails midway must not leave the one slot taken for the next.
afterEach(async () => {
  const { jobs } = await (await api.call('GET', '/v1/jobs?limit=200')).json();
  for (const job of jobs) {
    if (['Queued', 'Running', 'Paused'].includes(job.state)) await api.call('POST', `/v1/jobs/${job.id}/cancel`);
  }
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

test('cancelling a running job and a queued one frees their places: the job behind them runs', async () => {
  const slow = await submit({ query: slowQuery });
  await waitForState(api, slow, ['Running']);
  const queued = await submit({ table });
  const last = await submit({ table });
  expect(await get(queued)).toMatchObject({ state: 'Queued', queue: { position: 1, waitingFor: 'tenant_limit' } });
  expect((await get(last)).queue.position).toBe(2);

  expect((await act(queued, 'cancel')).state).toBe('Cancelled');
  expect((await get(last)).queue.position).toBe(1);
  expect((await act(slow, 'cancel')).state).toBe('Cancelled');
  expect((await waitForState(api, last, ['Completed'])).progress.rowsDone).toBe(10);
});

test('pause gives the slot to the next job; resume then waits Queued for it', async () => {
  const first = await submit({ query: slowQuery });
  await waitForState(api, first, ['Running']);
  const second = await submit({ query: slowQuery });
  expect((await get(second)).state).toBe('Queued');

  expect((await act(first, 'pause')).state).toBe('Paused');
  await waitForState(api, second, ['Running']);
  const resumed = await act(first, 'resume');
  expect(resumed).toMatchObject({ state: 'Queued', queue: { position: 1 } });
  expect(await get(first)).toMatchObject({ state: 'Queued', queue: { position: 1 } });

  await act(second, 'cancel');
  await waitForState(api, first, ['Running']);
  await act(first, 'cancel');
});

test('a job whose workflow is terminated from outside is marked Failed and its slot goes to the next job', async () => {
  const doomed = await submit({ query: slowQuery });
  await waitForState(api, doomed, ['Running']);
  const next = await submit({ table });
  expect((await get(next)).state).toBe('Queued');

  const { workflowId } = (await s.rt.jobs.get(s.tenantId, doomed))!;
  await s.temporal.workflow.getHandle(workflowId).terminate('operator pressed Terminate in the Web UI');
  await waitForState(api, next, ['Completed']);
  expect(await get(doomed)).toMatchObject({
    state: 'Failed', error: { code: 'workflow_ended', retryable: false }, allowedActions: ['restart', 'delete'],
  });
});
