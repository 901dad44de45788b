// Registering webhook endpoints: the secret is shown once and kept encrypted; bad URLs and events are refused
// field by field; addresses Sluice may not reach are refused at once (loopback here, as the operator setting
// is off); secrets rotate with the old one signing on for the overlap; another tenant sees none of it.
import { Webhook } from 'standardwebhooks';
import { seedTenant } from '../../dev/seed';
import { startApi, stackInfo, testSluice, type TestApi, type TestSluice } from '../support/stack';

let s: TestSluice;
let api: TestApi;

beforeAll(async () => {
  s = await testSluice();
  api = await startApi(s);
});

afterAll(async () => {
  await api?.close();
  await s?.close();
});

const PUBLIC_URL = 'https://8.8.8.8/hooks/sluice'; // a public address: registration resolves nothing and sends nothing

test('POST /v1/webhooks answers with the secret once; GET shows the endpoint without it; the stored secret is encrypted', async () => {
  const res = await api.call('POST', '/v1/webhooks', { url: PUBLIC_URL, events: ['job.completed', 'sync.alert'], description: 'ops' });
  expect(res.status).toBe(201);
  const created = await res.json();
  expect(created).toMatchObject({ url: PUBLIC_URL, events: ['job.completed', 'sync.alert'], description: 'ops', enabled: true, previousSecretValidUntil: null });
  expect(created.id).toMatch(/^wh_[0-9a-f]{20}$/);
  expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  expect(res.headers.get('location')).toBe(`/v1/webhooks/${created.id}`);
  expect(() => new Webhook(created.secret)).not.toThrow(); // a secret the Standard Webhooks libraries take

  const got = await (await api.call('GET', `/v1/webhooks/${created.id}`)).json();
  expect(got).not.toHaveProperty('secret');
  expect(JSON.stringify(await (await api.call('GET', '/v1/webhooks')).json())).not.toContain(created.secret.slice(6));
  const row = await s.rt.db.query('SELECT secrets::text AS t FROM webhook_endpoints WHERE id = $1', [created.id]);
  expect(row.rows[0].t).not.toContain(created.secret.slice(6));
  expect(await s.rt.webhooks.signingSecrets(s.tenantId, created.id)).toEqual([created.secret]);
});

test.each([
  [{ url: 'ftp://example.com/x', events: ['job.completed'] }, 'url', /http/],
  [{ url: 'https://user:pw@example.com/x', events: ['job.completed'] }, 'url', /user or password/],
  [{ url: 'not a url', events: ['job.completed'] }, 'url', /not a URL/],
  [{ url: PUBLIC_URL, events: [] }, 'events', /.+/],
  [{ url: PUBLIC_URL, events: ['job.exploded'] }, 'events[0]', /.+/],
  [{ url: PUBLIC_URL, events: ['job.failed', 'job.failed'] }, 'events', /twice/],
  [{ url: PUBLIC_URL, events: ['job.failed'], secret: 'mine' }, 'body', /secret/],
])('refused: %j', async (body, field, message) => {
  const res = await api.call('POST', '/v1/webhooks', body);
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await res.json();
  expect(problem.errors).toContainEqual(expect.objectContaining({ field, message: expect.stringMatching(message) }));
});

test.each(['http://127.0.0.1:9/hook', 'http://localhost/hook', 'http://10.1.2.3/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/hook'])(
  'an address Sluice may not reach is refused at registration: %s',
  async (url) => {
    const res = await api.call('POST', '/v1/webhooks', { url, events: ['job.completed'] });
    expect(res.status).toBe(422);
    const problem = await res.json();
    expect(problem.errors).toEqual([{ field: 'url', message: expect.any(String), hint: expect.stringMatching(/SLUICE_WEBHOOK_ALLOW_PRIVATE/) }]);
  },
);

test('rotate-secret: a new secret signs, the old one stays valid for the overlap; DELETE removes the endpoint', async () => {
  const created = await (await api.call('POST', '/v1/webhooks', { url: PUBLIC_URL, events: ['job.failed'] })).json();
  const res = await api.call('POST', `/v1/webhooks/${created.id}/rotate-secret`);
  expect(res.status).toBe(200);
  const rotated = await res.json();
  expect(rotated.secret).not.toBe(created.secret);
  expect(Date.parse(rotated.previousSecretValidUntil)).toBeGreaterThan(Date.now() + 23 * 3600 * 1000);
  expect(await s.rt.webhooks.signingSecrets(s.tenantId, created.id)).toEqual([rotated.secret, created.secret]);

  expect((await api.call('DELETE', `/v1/webhooks/${created.id}`)).status).toBe(204);
  expect((await api.call('GET', `/v1/webhooks/${created.id}`)).status).toBe(404);
  expect((await api.call('POST', `/v1/webhooks/${created.id}/rotate-secret`)).status).toBe(404);
});

test("another tenant's key sees none of these endpoints", async () => {
  const otherKey = await seedTenant(s.rt, { tenantId: `other_${s.tenantId}`, sourceName: 'src', sourceUrl: stackInfo().sourceUrl });
  const made = await api.call('POST', '/v1/webhooks', { url: PUBLIC_URL, events: ['job.failed'] });
  expect(made.status).toBe(201);
  const mine = await made.json();
  const theirs = await api.call('GET', '/v1/webhooks', undefined, { authorization: `Bearer ${otherKey}` });
  expect((await theirs.json()).webhooks).toEqual([]);
  expect((await api.call('GET', `/v1/webhooks/${mine.id}`, undefined, { authorization: `Bearer ${otherKey}` })).status).toBe(404);
  expect((await api.call('DELETE', `/v1/webhooks/${mine.id}`, undefined, { authorization: `Bearer ${otherKey}` })).status).toBe(404);
});
