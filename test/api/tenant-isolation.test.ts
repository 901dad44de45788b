// Isolation: every operation of the published API, called with a second tenant's key on the first tenant's
// resources (a job with files, a sync, a schedule, a connection, a webhook with a delivery, an email recipient, an alert),
// answers 404 (never 403, never data), lists show none of them, and nothing of the first tenant changed. The
// operations come from /openapi.json, so a route added later is walked too.
import { openApiDocument } from '../../api/openapi/document';
import { startReceiver, until } from '../support/webhook-receiver';
import { ownSluiceDatabase, sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { waitForState } from './support';

let a: TestSluice;
let b: TestSluice;
let apiA: TestApi;
let apiB: TestApi;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  receiver = await startReceiver();
  // Email on (a server nobody sends to: no worker here has a recipient to mail) so that recipients can be made.
  const env = { SLUICE_DATABASE_URL: await ownSluiceDatabase(), SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true', SLUICE_SMTP_URL: 'smtp://127.0.0.1:9' };
  a = await testSluice(env);
  b = await testSluice(env);
  await a.startWorker();
  apiA = await startApi(a);
  apiB = await startApi(b);

  const src = await sourceClient();
  const table = uniqueName('isolated');
  await src.query(`CREATE TABLE ${table} (id int PRIMARY KEY, secret text)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'a-only ' || g FROM generate_series(1, 20) g`);
  await src.end();

  ids.connection = uniqueName('conn_a');
  expect((await apiA.call('PUT', `/v1/connections/${ids.connection}`, { url: a.config.SLUICE_DATABASE_URL, roles: ['target'] })).status).toBe(201);
  const hook = await (await apiA.call('POST', '/v1/webhooks', { url: `${receiver.url}/a`, events: ['job.completed'] })).json();
  ids.webhook = hook.id;
  ids.recipient = (await (await apiA.call('POST', '/v1/email-recipients', { address: 'a@example.com', events: ['job.failed'] })).json()).id;
  const job = await (await apiA.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job', compression: 'none' })).json();
  ids.job = job.id;
  await waitForState(apiA, ids.job, ['Completed']);
  ids.delivery = (await until('a delivery', async () => (await (await apiA.call('GET', `/v1/webhooks/${ids.webhook}/deliveries`)).json()).deliveries[0]?.id));
  const sync = await (await apiA.call('POST', '/v1/syncs', { source: 'src', target: ids.connection, tables: [table], mode: 'full' })).json();
  ids.sync = sync.id;
  await a.rt.db.query(`INSERT INTO alerts (id, tenant_id, sync_id, run, kind, message) VALUES ('alr_isolation_test01', $1, $2, 0, 'sync_failed', 'the sync failed')`, [a.tenantId, ids.sync]);
  ids.alert = 'alr_isolation_test01';
  const schedule = await (await apiA.call('POST', '/v1/schedules', { interval: '1h', request: { source: 'src', table } })).json();
  ids.schedule = schedule.id;
  expect((await apiA.call('POST', `/v1/schedules/${ids.schedule}/pause`, { note: 'kept paused' })).status).toBe(200);
});

afterAll(async () => {
  await apiA?.close();
  await apiB?.close();
  await a?.close();
  await b?.close();
  await receiver?.close();
});

// Each path parameter, filled with the first tenant's resource of that path.
function fill(path: string): string {
  return path
    .replace('/v1/jobs/{id}', `/v1/jobs/${ids.job}`)
    .replace('/v1/syncs/{id}', `/v1/syncs/${ids.sync}`)
    .replace('/v1/schedules/{id}', `/v1/schedules/${ids.schedule}`)
    .replace('/v1/webhooks/{id}', `/v1/webhooks/${ids.webhook}`)
    .replace('{deliveryId}', ids.delivery)
    .replace('/v1/email-recipients/{id}', `/v1/email-recipients/${ids.recipient}`)
    .replace('/v1/connections/{name}', `/v1/connections/${ids.connection}`);
}

// Every operation of the document under /v1, with each value of an enumerated path parameter ({action}).
function operations(): { method: string; path: string }[] {
  const doc = openApiDocument();
  const out: { method: string; path: string }[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: { name: string; in: string; schema?: { enum?: string[] } }[] }>>)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, op] of Object.entries(item)) {
      const actions = op.parameters?.find((p) => p.in === 'path' && p.name === 'action')?.schema?.enum;
      for (const action of actions ?? [undefined]) out.push({ method: method.toUpperCase(), path: fill(action ? path.replace('{action}', action) : path) });
    }
  }
  return out;
}

// An id of the first tenant's in an answer that the request did not name (a 404 repeats the one asked for).
const leaks = (path: string, text: string) => Object.values(ids).filter((id) => text.includes(id) && !path.includes(id));

test('every operation, with the second tenant\'s key: 404 on the first tenant\'s resources, none of them in lists', async () => {
  const walked = operations();
  expect(walked.length).toBeGreaterThan(30);
  expect(walked.map((w) => w.path)).toEqual(expect.arrayContaining(['/v1/limits', '/v1/audit'])); // the tenancy routes too
  const wrong: string[] = [];
  for (const { method, path } of walked) {
    const onResource = Object.values(ids).some((id) => path.includes(id));
    // The one create that names its own key: a connection of the same name is the second tenant's own.
    if (method === 'PUT' && path.startsWith('/v1/connections/')) continue;
    const res = await apiB.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
    const text = await res.text();
    if (leaks(path, text).length) wrong.push(`${method} ${path}: ${res.status} shows ${leaks(path, text).join(', ')}`);
    if (onResource && res.status !== 404) wrong.push(`${method} ${path}: ${res.status}, not 404`);
    if (res.status === 403 || res.status >= 500) wrong.push(`${method} ${path}: ${res.status}`);
  }
  expect(wrong).toEqual([]);
});

test("the first tenant's resources are all still there, unchanged", async () => {
  expect((await (await apiA.call('GET', `/v1/jobs/${ids.job}`)).json()).state).toBe('Completed');
  expect((await (await apiA.call('GET', `/v1/syncs/${ids.sync}`)).json()).state).toBe('Created');
  expect((await (await apiA.call('GET', `/v1/webhooks/${ids.webhook}`)).json()).enabled).toBe(true);
  expect((await apiA.call('GET', `/v1/email-recipients/${ids.recipient}`)).status).toBe(200);
  expect((await apiA.call('GET', `/v1/connections/${ids.connection}`)).status).toBe(200);
  // Its schedule is as it was: paused, never triggered.
  expect(await (await apiA.call('GET', `/v1/schedules/${ids.schedule}`)).json()).toMatchObject({ state: 'paused', recentRuns: [], temporal: { note: 'kept paused' } });
  expect((await (await apiA.call('GET', '/v1/alerts')).json()).alerts.map((x: { id: string }) => x.id)).toContain(ids.alert);
  // Its files sit under its own prefix; its links open them.
  const files = await (await apiA.call('GET', `/v1/jobs/${ids.job}/files`)).json();
  for (const part of files.parts) expect(new URL(part.url).pathname).toContain(`/tenants/${a.tenantId}/`);
  expect(await (await fetch(files.parts[0].url)).text()).toContain('a-only 1');
});
