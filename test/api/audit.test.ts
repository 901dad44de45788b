// The audit log on the API: actions and file reads are written with the key, the address, the request id and
// the outcome; plain status reads are not; GET /v1/audit filters and pages; another tenant sees none of it;
// no request changes it, nor can the database.
import { finished, startExtraction } from '../support/jobs';
import { ownSluiceDatabase, sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem } from './support';

let s: TestSluice;
let other: TestSluice;
let api: TestApi;
let otherApi: TestApi;

beforeAll(async () => {
  const env = { SLUICE_DATABASE_URL: await ownSluiceDatabase(), SLUICE_WEBHOOK_ALLOW_PRIVATE: 'true' };
  s = await testSluice(env);
  other = await testSluice(env);
  await s.startWorker();
  api = await startApi(s);
  otherApi = await startApi(other);
});

afterAll(async () => {
  await api?.close();
  await otherApi?.close();
  await s?.close();
  await other?.close();
});

type Entry = { seq: string; at: string; keyId: string; ip: string; requestId: string; method: string; route: string; action: string; target: string | null; status: number; outcome: string };
const audit = async (on: TestApi, query = '') => (await (await on.call('GET', `/v1/audit${query}`)).json()) as { entries: Entry[]; nextCursor: string | null };

test('actions and file reads are written, with who, from where, which request and how it went; plain reads are not', async () => {
  const src = await sourceClient();
  const table = uniqueName('audited');
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id FROM generate_series(1, 10) g`);
  await src.end();

  const made = await api.call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['job.failed'] }, { 'x-request-id': 'req-made-1' });
  expect(made.status).toBe(201);
  expect(made.headers.get('x-request-id')).toBe('req-made-1');
  const hook = await made.json();
  expect((await api.call('DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(204);
  await expectProblem(await api.call('POST', '/v1/extractions', { source: 'src', table: 'no_such_table', mode: 'job' }), 400);
  const { jobId, handle } = await startExtraction(s, { table, compression: 'none' });
  expect((await finished(handle)).state).toBe('Completed');
  expect((await api.call('GET', `/v1/jobs/${jobId}`)).status).toBe(200); // a status read: not kept
  expect((await api.call('GET', `/v1/jobs/${jobId}/files`)).status).toBe(200);

  // Written as each answer goes out: the last may land a moment after its answer.
  const entries = await until(async () => ((await audit(api)).entries.length >= 4 ? (await audit(api)).entries : undefined));
  const seen = entries.map((e) => [e.method, e.route, e.action, e.target, e.status, e.outcome]);
  expect(seen).toEqual([
    ['GET', '/v1/jobs/:id/files', 'jobs.files', jobId, 200, 'ok'],
    ['POST', '/v1/extractions', 'extractions.create', null, 400, 'refused'],
    ['DELETE', '/v1/webhooks/:id', 'webhooks.delete', hook.id, 204, 'ok'],
    ['POST', '/v1/webhooks', 'webhooks.create', hook.id, 201, 'ok'],
  ]);
  for (const e of entries) expect(e).toMatchObject({ keyId: expect.stringMatching(/^key_/), ip: '127.0.0.1', requestId: expect.any(String) });
  expect(entries[3].requestId).toBe('req-made-1');
  expect(new Set(entries.map((e) => e.requestId)).size).toBe(4);
});

test('filters and pages; another tenant sees none of it', async () => {
  expect((await audit(api, '?outcome=refused')).entries.map((e) => e.action)).toEqual(['extractions.create']);
  expect((await audit(api, '?action=webhooks.delete')).entries).toHaveLength(1);
  const first = await audit(api, '?limit=1');
  expect(first.entries).toHaveLength(1);
  const second = await audit(api, `?limit=1&cursor=${first.nextCursor}`);
  expect(Number(second.entries[0].seq)).toBeLessThan(Number(first.entries[0].seq));
  await expectProblem(await api.call('GET', '/v1/audit?cursor=abc'), 400, 'cursor');
  expect((await audit(otherApi)).entries).toEqual([]);
});

test('a request refused for its key is written without a tenant; nothing changes the log', async () => {
  const refused = await fetch(`${api.url}/v1/jobs`, { headers: { authorization: 'Bearer sk_not_a_key', 'x-request-id': 'req-bad-key' } });
  expect(refused.status).toBe(401);
  const row = await until(async () => (await s.rt.db.query(`SELECT tenant_id, key_id, status, outcome FROM audit_log WHERE request_id = 'req-bad-key'`)).rows[0]);
  expect(row).toEqual({ tenant_id: null, key_id: null, status: 401, outcome: 'refused' });

  for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) expect([404, 405]).toContain((await api.call(method, '/v1/audit', method === 'DELETE' ? undefined : {})).status);
  await expect(s.rt.db.query(`UPDATE audit_log SET outcome = 'ok' WHERE request_id = 'req-bad-key'`)).rejects.toThrow(/append-only/);
  await expect(s.rt.db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  await expect(s.rt.db.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
});

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('gave up waiting');
}
