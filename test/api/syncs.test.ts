// /v1/syncs over HTTP against a real worker: definition and its refusals, reads, actions through the sync's
// workflow (200 at rest, 409 naming the allowed actions), instances, metrics, and delete.
import type { Client as PgClient } from 'pg';
import { sourceClient, stackInfo, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const table = uniqueName('synced');

beforeAll(async () => {
  s = await testSluice();
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE public.${table} (id bigint PRIMARY KEY, label text)`);
  await src.query(`INSERT INTO public.${table} SELECT g, 'row ' || g FROM generate_series(1, 5000) g`);
  const put = await api.call('PUT', '/v1/connections/dst', { url: stackInfo().targetUrl, roles: ['target'] });
  expect([200, 201]).toContain(put.status);
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

const define = (body: Record<string, unknown>) => api.call('POST', '/v1/syncs', { source: 'src', target: 'dst', tables: [table], ...body });

async function waitFor(id: string, ok: (sync: { state: string; phase: string }) => boolean) {
  for (let i = 0; i < 600; i++) {
    const sync = await (await api.call('GET', `/v1/syncs/${id}`)).json();
    if (ok(sync)) return sync;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sync ${id} did not get there`);
}

test('a definition naming a missing connection, one in the wrong role, or the source as target is refused by field', async () => {
  await expectProblem(await define({ source: 'nope' }), 400, 'source');
  await expectProblem(await define({ source: 'dst' }), 400, 'source');
  await expectProblem(await define({ target: 'src' }), 400, 'target');
  await expectProblem(await define({ target: 'missing' }), 400, 'target');
  await expectProblem(await define({ tables: undefined }), 400, 'tables');
  await expectProblem(await define({ mode: 'sometimes' }), 400, 'mode');
});

test('malformed and unknown ids are 404 problems naming the id', async () => {
  await expectProblem(await api.call('GET', '/v1/syncs/job_0011223344556677'), 404, 'id');
  await expectProblem(await api.call('GET', '/v1/syncs/%zz'), 404);
  await expectProblem(await api.call('GET', '/v1/syncs/sync_00112233445566778899'), 404);
});

test('Created → start → Running (streaming) → pause → resume; refusals name the allowed actions; instances and metrics', async () => {
  const created = await define({});
  expect(created.status).toBe(201);
  const sync = await created.json();
  expect(created.headers.get('location')).toBe(`/v1/syncs/${sync.id}`);
  expect(sync).toMatchObject({ state: 'Created', allowedActions: ['start', 'delete'], instance: null, tables: [`public.${table}`] });
  expect((await (await api.call('GET', '/v1/syncs')).json()).syncs.map((x: { id: string }) => x.id)).toContain(sync.id);
  expect((await (await api.call('GET', '/v1/jobs')).json()).jobs.map((x: { id: string }) => x.id)).not.toContain(sync.id);

  expect((await expectProblem(await api.call('POST', `/v1/syncs/${sync.id}/pause`), 409)).allowedActions).toEqual(['start', 'delete']);
  const started = await api.call('POST', `/v1/syncs/${sync.id}/start`);
  expect(started.status).toBe(200);
  expect((await started.json()).instance).toMatchObject({ run: 1 });

  const streaming = await waitFor(sync.id, (x) => x.phase === 'streaming');
  expect(streaming.snapshot.rowsCopied).toBe(5000);
  const refused = await expectProblem(await api.call('DELETE', `/v1/syncs/${sync.id}`), 409);
  expect(refused).toMatchObject({ state: 'Running', allowedActions: ['pause'] });

  const paused = await api.call('POST', `/v1/syncs/${sync.id}/pause`);
  expect(paused.status).toBe(200);
  expect(await paused.json()).toMatchObject({ state: 'Paused', allowedActions: ['resume', 'restart', 'delete'] });
  expect((await api.call('POST', `/v1/syncs/${sync.id}/resume`)).status).toBe(200);

  const instances = await (await api.call('GET', `/v1/syncs/${sync.id}/instances`)).json();
  expect(instances.instances).toEqual([expect.objectContaining({ id: `${sync.id}-1`, number: 1, status: 'Running', endedAt: null })]);
  expect(instances.instances[0].records).toBeGreaterThanOrEqual(5000);

  const metrics = await api.call('GET', `/v1/syncs/${sync.id}/metrics?from=-10m&step=10s`);
  expect(metrics.status).toBe(200);
  expect((await metrics.json()).stepSeconds).toBe(10);
  await expectProblem(await api.call('GET', `/v1/syncs/${sync.id}/metrics?from=soon`), 400, 'from');
  await expectProblem(await api.call('GET', `/v1/syncs/${sync.id}/metrics?step=1s&from=-7d`), 400, 'step');

  expect((await api.call('POST', `/v1/syncs/${sync.id}/pause`)).status).toBe(200);
  expect((await api.call('DELETE', `/v1/syncs/${sync.id}`)).status).toBe(204);
  await expectProblem(await api.call('GET', `/v1/syncs/${sync.id}`), 404);
});

test('start: true starts at once; a Created sync is deleted without ever starting', async () => {
  const started = await (await define({ start: true, mode: 'full' })).json();
  expect(started.instance).toMatchObject({ run: 1 });
  await waitFor(started.id, (x) => x.state === 'Succeeded');

  const idle = await (await define({})).json();
  expect((await api.call('DELETE', `/v1/syncs/${idle.id}`)).status).toBe(204);
  await expectProblem(await api.call('GET', `/v1/syncs/${idle.id}`), 404);
});
