import type { Client as PgClient } from 'pg';
import { seedTenant } from '../../dev/seed';
import { sourceClient, stackInfo, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const table = uniqueName('api_jobs');
const submit = async (body: Record<string, unknown>) => (await api.call('POST', '/v1/extractions', { source: 'src', mode: 'job', ...body })).json();

beforeAll(async () => {
  s = await testSluice();
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 10) g`);
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

test('the list pages with a cursor, newest first, and filters by state', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await submit({ table })).id);
  for (const id of ids) await waitForState(api, id, ['Completed']);
  const failed = (await submit({ query: `SELECT id / (id - id) FROM ${table}` })).id;
  await waitForState(api, failed, ['Failed']);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await api.call('GET', `/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    const page = await res.json();
    expect(page.jobs.length).toBeLessThanOrEqual(2);
    seen.push(...page.jobs.map((j: { id: string }) => j.id));
    cursor = page.nextCursor;
  } while (cursor);
  const newestFirst = [...ids].reverse();
  expect(seen).toEqual([failed, ...newestFirst]);

  const completed = await (await api.call('GET', '/v1/jobs?state=Completed')).json();
  expect(completed.jobs.map((j: { id: string }) => j.id)).toEqual(newestFirst);
  const onlyFailed = await (await api.call('GET', '/v1/jobs?state=Failed')).json();
  expect(onlyFailed.jobs.map((j: { id: string }) => j.id)).toEqual([failed]);
});

test.each([
  ['an unknown state', '/v1/jobs?state=Done', 'state'],
  ['a forged cursor', '/v1/jobs?cursor=not-a-cursor', 'cursor'],
  ['a limit out of range', '/v1/jobs?limit=0', 'limit'],
])('the list refuses %s', async (_what, path, field) => {
  await expectProblem(await api.call('GET', path), 400, field);
});

test("another tenant's job is not there for this tenant", async () => {
  const { id } = await submit({ table });
  const otherKey = await seedTenant(s.rt, { tenantId: uniqueName('other'), sourceName: 'src', sourceUrl: stackInfo().sourceUrl });
  const other = { authorization: `Bearer ${otherKey}` };
  await expectProblem(await api.call('GET', `/v1/jobs/${id}`, undefined, other), 404);
  await expectProblem(await api.call('GET', `/v1/jobs/${id}/files`, undefined, other), 404);
  await expectProblem(await api.call('DELETE', `/v1/jobs/${id}`, undefined, other), 404);
  const list = await (await api.call('GET', '/v1/jobs', undefined, other)).json();
  expect(list.jobs).toEqual([]);
});

test('DELETE of an active job is refused (409, cancel first); once cancelled it can be deleted', async () => {
  const { id } = await submit({ query: `SELECT id, pg_sleep(1) FROM ${table}` });
  await waitForState(api, id, ['Running']);
  await expectProblem(await api.call('GET', `/v1/jobs/${id}/files`), 409);
  const refused = await api.call('DELETE', `/v1/jobs/${id}`);
  expect(refused.status).toBe(409);
  expect(await refused.json()).toMatchObject({ state: 'Running', allowedActions: ['pause', 'cancel'] });
  const cancelled = await api.call('POST', `/v1/jobs/${id}/cancel`);
  expect(cancelled.status).toBe(200);
  const job = await cancelled.json();
  expect(job.state).toBe('Cancelled');
  expect(job.allowedActions).toEqual(['restart', 'delete']);
  expect((await api.call('DELETE', `/v1/jobs/${id}`)).status).toBe(204);
  expect((await api.call('GET', `/v1/jobs/${id}`)).status).toBe(404);
});

test('a running job shows live progress and an ETA while parts are in flight', async () => {
  // About 10 s; rows of 2 kB, so that PostgreSQL sends them as they come rather than in one 8 kB buffer at the end.
  const { id } = await submit({ query: "SELECT g AS id, repeat('x', 2000) AS pad, pg_sleep(0.05) FROM generate_series(1, 200) g" });
  const running = await waitForState(api, id, ['Running']);
  expect(running.progress.percent).toBeLessThan(100);
  expect(running.allowedActions).toEqual(['pause', 'cancel']);
  let live = running;
  while (live.state === 'Running' && live.progress.rowsDone === 0) live = await (await api.call('GET', `/v1/jobs/${id}`)).json();
  expect(live.progress.rowsDone).toBeGreaterThan(0);
  if (live.state === 'Running') {
    // The one part (a stream) has not finished: rows and percent come from what it records as it runs.
    expect(live.progress.partsDone).toBe(0);
    expect(live.progress.percent).toBeGreaterThan(0);
    expect(live.progress.eta).toMatchObject({ estimated: true, remainingSeconds: expect.any(Number), at: expect.any(String) });
  }
  const done = await waitForState(api, id, ['Completed']);
  expect(done.progress.eta).toBeNull();
  expect(done.timings.runningMs).toBeGreaterThan(0);
});

test('an unknown route is a 404 problem', async () => {
  await expectProblem(await api.call('GET', '/v1/nothing-here'), 404);
});
