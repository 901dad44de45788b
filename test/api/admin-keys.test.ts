// Tenants and API keys through the admin API: only with the admin token (and not at all without the setting);
// a key made there works on /v1 at once; rotation keeps both keys valid until the grace ends; revocation and
// expiry refuse a key with a 401 that says which.
import { startApi, testSluice, uniqueName, type JsonResponse, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem } from './support';

const TOKEN = 'admin-token-of-this-test-0123456789abcdef';

let s: TestSluice;
let api: TestApi;
let apiWithoutAdmin: TestApi;

beforeAll(async () => {
  s = await testSluice();
  api = await startApi(s, { SLUICE_ADMIN_TOKEN: TOKEN });
  apiWithoutAdmin = await startApi(s);
});

afterAll(async () => {
  await api?.close();
  await apiWithoutAdmin?.close();
  await s?.close();
});

const admin = (method: string, path: string, body?: unknown, token = TOKEN): Promise<JsonResponse> =>
  api.call(method, `/admin/v1${path}`, body, { authorization: `Bearer ${token}` });

/** GET /v1/jobs with `key`: 200 while the key holds. */
const useKey = (key: string) => api.call('GET', '/v1/jobs', undefined, { authorization: `Bearer ${key}` });

async function newTenantKey(body: Record<string, unknown> = {}) {
  const tenant = uniqueName('admin');
  expect((await admin('POST', '/tenants', { id: tenant })).status).toBe(201);
  const res = await admin('POST', '/keys', { tenant, ...body });
  expect(res.status).toBe(201);
  return { tenant, ...(await res.json()) };
}

/** Calls `read` every 100 ms until `done` says its answer is the one. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const untilRefused = (key: string) => until(() => useKey(key), (res) => res.status !== 200);

test.each<[string, Record<string, string> | null]>([
  ['no Authorization header', null],
  ['a wrong token', { authorization: `Bearer ${TOKEN.replace(/.$/, 'X')}` }],
  ["a tenant's API key", {}], // api.call's default
])('the admin API refuses a request with %s', async (_what, headers) => {
  const res = headers ? await api.call('GET', '/admin/v1/tenants', undefined, headers) : await fetch(`${api.url}/admin/v1/tenants`);
  const problem = await expectProblem(res, 401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  expect(problem.detail).toMatch(/admin token/);
});

test('without SLUICE_ADMIN_TOKEN there is no admin API: 404, with any token', async () => {
  const res = await apiWithoutAdmin.call('GET', '/admin/v1/tenants', undefined, { authorization: `Bearer ${TOKEN}` });
  await expectProblem(res, 404);
});

test('a tenant and a key made through the admin API: the key works on /v1, is shown once and listed without it', async () => {
  const tenant = uniqueName('acme');
  const made = await admin('POST', '/tenants', { id: tenant, name: 'Acme Corp' });
  expect(made.status).toBe(201);
  expect(await made.json()).toMatchObject({ id: tenant, name: 'Acme Corp', createdAt: expect.any(String) });
  await expectProblem(await admin('POST', '/tenants', { id: tenant }), 409, 'id');
  expect((await (await admin('GET', '/tenants')).json()).tenants).toContainEqual(expect.objectContaining({ id: tenant, name: 'Acme Corp' }));

  const res = await admin('POST', '/keys', { tenant, label: 'ci', allowedCidrs: ['127.0.0.0/8', '2001:DB8::/32'] });
  expect(res.status).toBe(201);
  const key = await res.json();
  expect(key).toMatchObject({ tenant, label: 'ci', status: 'active', allowedCidrs: ['127.0.0.0/8', '2001:db8::/32'], expiresAt: null, revokedAt: null, lastUsedAt: null });
  expect(key.id).toMatch(/^key_[0-9a-f]{20}$/);
  expect(key.key).toMatch(/^sk_[A-Za-z0-9_-]{32}$/);

  const used = await useKey(key.key);
  expect(used.status).toBe(200);
  expect((await used.json()).jobs).toEqual([]); // the new tenant's jobs: none

  // The use is noted in the background: poll the list for it.
  const listKeys = async () => (await (await admin('GET', `/keys?tenant=${tenant}`)).json()).keys;
  const listed = await until(listKeys, (keys) => keys[0].lastUsedAt !== null);
  const { key: secret, ...view } = key;
  expect(listed).toEqual([{ ...view, lastUsedAt: expect.any(String) }]);
  expect(JSON.stringify(listed)).not.toContain(secret);
  const stored = await s.rt.db.query('SELECT key_hash FROM api_keys WHERE id = $1', [key.id]);
  expect(stored.rows[0].key_hash).not.toContain(key.key.slice(3));
});

test('refused input and unknown names: 400 by field, 404', async () => {
  await expectProblem(await admin('POST', '/tenants', { id: 'no spaces' }), 400, 'id');
  await expectProblem(await admin('POST', '/keys', { tenant: s.tenantId, allowedCidrs: ['10.0.0.1/8'] }), 400, 'allowedCidrs[0]');
  await expectProblem(await admin('POST', '/keys', { tenant: s.tenantId, expiresIn: 'forever' }), 400, 'expiresIn');
  await expectProblem(await admin('POST', '/keys', { tenant: uniqueName('nobody') }), 404, 'tenant');
  await expectProblem(await admin('GET', '/keys'), 400, 'tenant');
  await expectProblem(await admin('GET', `/keys?tenant=${uniqueName('nobody')}`), 404, 'tenant');
  await expectProblem(await admin('POST', '/keys/key_00000000000000000000/rotate'), 404);
  await expectProblem(await admin('POST', '/keys/key_00000000000000000000/revoke'), 404);
  const res = await api.call('POST', '/admin/v1/tenants', 'id=x', { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' });
  await expectProblem(res, 415, 'body');
});

test('a rotated key and its successor both work during the grace; the new one has the label and ranges', async () => {
  const old = await newTenantKey({ label: 'etl', allowedCidrs: ['127.0.0.0/8'] });
  const res = await admin('POST', `/keys/${old.id}/rotate`, { grace: '1h' });
  expect(res.status).toBe(201);
  const rotated = await res.json();
  expect(rotated).toMatchObject({ tenant: old.tenant, label: 'etl', allowedCidrs: ['127.0.0.0/8'], status: 'active', expiresAt: null });
  expect(rotated.previous).toMatchObject({ id: old.id, rotatedTo: rotated.id, status: 'active', expiresAt: expect.any(String) });
  expect(rotated.key).not.toBe(old.key);
  expect((await useKey(old.key)).status).toBe(200);
  expect((await useKey(rotated.key)).status).toBe(200);
  // Rotated already: the successor is the one to rotate.
  const again = await expectProblem(await admin('POST', `/keys/${old.id}/rotate`), 409);
  expect(again.detail).toContain(rotated.id);
});

test('after the grace the old key is refused as expired; the new one goes on; a lifetime carries over', async () => {
  const old = await newTenantKey({ expiresIn: '30d' });
  const rotated = await (await admin('POST', `/keys/${old.id}/rotate`, { grace: '1s' })).json();
  const refused = await untilRefused(old.key);
  expect((await expectProblem(refused, 401)).detail).toBe('the API key has expired');
  expect((await useKey(rotated.key)).status).toBe(200);
  const days = (Date.parse(rotated.expiresAt) - Date.parse(rotated.createdAt)) / 86_400_000;
  expect(days).toBeCloseTo(30, 3);
});

test('a revoked key is refused at once, saying so; revoking again keeps the first time; it cannot be rotated', async () => {
  const key = await newTenantKey();
  expect((await useKey(key.key)).status).toBe(200);
  const res = await admin('POST', `/keys/${key.id}/revoke`);
  expect(res.status).toBe(200);
  const revoked = await res.json();
  expect(revoked).toMatchObject({ id: key.id, status: 'revoked', revokedAt: expect.any(String) });
  expect((await expectProblem(await useKey(key.key), 401)).detail).toBe('the API key was revoked');
  expect((await (await admin('POST', `/keys/${key.id}/revoke`)).json()).revokedAt).toBe(revoked.revokedAt);
  expect((await expectProblem(await admin('POST', `/keys/${key.id}/rotate`), 409)).detail).toMatch(/revoked/);
});

test('a key past its expiry is refused as expired; a key no one made, as not valid', async () => {
  const key = await newTenantKey({ expiresIn: '1s' });
  expect((await expectProblem(await untilRefused(key.key), 401)).detail).toBe('the API key has expired');
  const listed = (await (await admin('GET', `/keys?tenant=${key.tenant}`)).json()).keys;
  expect(listed[0].status).toBe('expired');
  expect((await expectProblem(await useKey('sk_not_a_key_anyone_made'), 401)).detail).toBe('the API key is not valid');
});
