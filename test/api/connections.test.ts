// Connections over HTTP, on the real stack: registered from a URL or its parts, shown without the password (and
// kept encrypted), per tenant, tested against the server, and deleted only when no job uses them.
import { randomBytes } from 'node:crypto';
import type { Client as PgClient } from 'pg';
import { seedTenant } from '../../dev/seed';
import { freePort } from '../../dev/services';
import { sourceClient, stackInfo, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const role = uniqueName('plain_role');
const stack = new URL(stackInfo().sourceUrl);
// The stack trusts every local connection, so any password gets in: the point is where it ends up.
const urlWithPassword = (database = 'source', user = stack.username) => {
  const u = new URL(stackInfo().sourceUrl);
  u.username = user;
  u.password = PASSWORD;
  u.pathname = `/${database}`;
  return u.toString();
};

beforeAll(async () => {
  s = await testSluice();
  [api] = await Promise.all([startApi(s), s.startWorker()]);
  src = await sourceClient();
  await src.query(`CREATE ROLE ${role} LOGIN`); // no superuser, no replication, no CREATE anywhere
});

afterAll(async () => {
  await src?.query(`DROP ROLE IF EXISTS ${role}`);
  await api?.close();
  await src?.end();
  await s?.close();
});

// The stack's role is a superuser: registered knowingly (least-privilege.test.ts has the refusal without it).
const register = (body: Record<string, unknown>) => api.call('POST', '/v1/connections', { allowPrivilegedRole: true, ...body });

test('registered from a URL: 201 with a view that holds no password, and the row keeps the URL only encrypted', async () => {
  const res = await register({ name: 'shop', url: urlWithPassword(), roles: ['source'] });
  expect(res.status).toBe(201);
  expect(res.headers.get('location')).toBe('/v1/connections/shop');
  const view = await res.json();
  expect(view).toEqual({
    name: 'shop', roles: ['source'], host: stack.hostname, port: Number(stack.port), database: 'source', user: stack.username,
    sslmode: null, queryRole: null, allowPrivilegedRole: true, createdAt: expect.any(String), updatedAt: expect.any(String),
    report: expect.objectContaining({ reachable: true, superuser: true }),
  });
  expect(JSON.stringify(view)).not.toContain(PASSWORD);

  const raw = await s.rt.db.query<{ row: string; keyId: string }>(
    `SELECT row_to_json(c)::text AS row, key_id AS "keyId" FROM connections c WHERE tenant_id = $1 AND name = 'shop'`, [s.tenantId]);
  expect(raw.rows[0].keyId).toBe('test');
  expect(raw.rows[0].row).not.toContain(PASSWORD);
  expect(raw.rows[0].row).not.toContain(Buffer.from(PASSWORD).toString('hex')); // bytea shows as hex
  expect(await s.rt.connections.sourceUrl(s.tenantId, 'shop')).toBe(urlWithPassword());
  expect(await s.rt.connections.targetUrl(s.tenantId, 'shop')).toBeNull();

  // An extraction reads through it.
  const answer = await api.call('POST', '/v1/extractions', { source: 'shop', query: 'SELECT count(*) AS n FROM generate_series(1, 10)', mode: 'inline', format: 'ndjson' });
  expect(answer.status).toBe(200);
  expect(await answer.text()).toBe('{"n":10}\n');
});

test('registered from its parts; listed by name and read one by one', async () => {
  const res = await register({
    name: 'warehouse', host: stack.hostname, port: Number(stack.port), database: 'target', user: stack.username, password: PASSWORD,
    sslmode: 'disable', roles: ['target'],
  });
  expect(res.status).toBe(201);
  const view = await res.json();
  expect(view).toMatchObject({ name: 'warehouse', roles: ['target'], database: 'target', sslmode: 'disable' });
  expect(await s.rt.connections.targetUrl(s.tenantId, 'warehouse')).toContain(`:${PASSWORD}@`);

  const { report, ...shown } = view; // the report of its test comes with the registration alone
  expect(report).toMatchObject({ reachable: true });
  expect(await (await api.call('GET', '/v1/connections/warehouse')).json()).toEqual(shown);
  const list = await (await api.call('GET', '/v1/connections')).json();
  const names = list.connections.map((c: { name: string }) => c.name);
  expect(names).toEqual([...names].sort());
  expect(names).toEqual(expect.arrayContaining(['shop', 'src', 'warehouse']));
  expect(JSON.stringify(list)).not.toContain(PASSWORD);
});

test('an extraction from a connection that is only a target, or from none, is a 400 for source', async () => {
  await register({ name: 'only-target', url: urlWithPassword('target'), roles: ['target'] });
  const onlyTarget = await expectProblem(await api.call('POST', '/v1/extractions', { source: 'only-target', query: 'SELECT 1' }), 400, 'source');
  expect(onlyTarget.errors[0].message).toMatch(/role target, not source/);
  await expectProblem(await api.call('POST', '/v1/extractions', { source: 'no-such', query: 'SELECT 1' }), 400, 'source');
});

test('a name taken is a 409; PUT replaces (200) or registers (201); a PUT whose body names another is a 400', async () => {
  await register({ name: 'twice', url: urlWithPassword() });
  const again = await expectProblem(await register({ name: 'twice', url: urlWithPassword() }), 409);
  expect(again.hint).toMatch(/PUT \/v1\/connections\/twice/);

  const replaced = await api.call('PUT', '/v1/connections/twice', { url: urlWithPassword('target'), roles: ['target'] });
  expect(replaced.status).toBe(200);
  const view = await replaced.json();
  expect(view).toMatchObject({ name: 'twice', roles: ['target'], database: 'target' });
  expect(Date.parse(view.updatedAt)).toBeGreaterThan(Date.parse(view.createdAt));
  expect(await s.rt.connections.sourceUrl(s.tenantId, 'twice')).toBeNull();

  expect((await api.call('PUT', '/v1/connections/fresh', { url: urlWithPassword(), allowPrivilegedRole: true })).status).toBe(201);
  await expectProblem(await api.call('PUT', '/v1/connections/fresh', { name: 'other', url: urlWithPassword() }), 400, 'name');
});

test.each([
  ['a name with capitals', { name: 'Shop', url: 'postgresql://u@h/db' }, 'name'],
  ['a name that starts with a digit', { name: '1shop', url: 'postgresql://u@h/db' }, 'name'],
  ['a URL of another scheme', { name: 'x', url: `mysql://u:${'secret-in-url'}@h/db` }, 'url'],
  ['text that is not a URL', { name: 'x', url: 'not a url' }, 'url'],
  ['an unknown sslmode', { name: 'x', url: 'postgresql://u@h/db?sslmode=always' }, 'url'],
  ['both a URL and parts', { name: 'x', url: 'postgresql://u@h/db', host: 'h' }, 'host'],
  ['parts without a database', { name: 'x', host: 'h', user: 'u' }, 'database'],
  ['a port out of range', { name: 'x', host: 'h', user: 'u', database: 'd', port: 70000 }, 'port'],
  ['a host with a slash', { name: 'x', host: 'h/x', user: 'u', database: 'd' }, 'host'],
  ['an unknown role', { name: 'x', url: 'postgresql://u@h/db', roles: ['reader'] }, 'roles[0]'],
  ['no role', { name: 'x', url: 'postgresql://u@h/db', roles: [] }, 'roles'],
  ['an unknown field', { name: 'x', url: 'postgresql://u@h/db', secret: 1 }, 'body'],
])('%s is a 400 naming the field, with a hint, and never echoes the URL', async (_what, body, field) => {
  const problem = await expectProblem(await register(body), 400, field);
  expect(problem.errors.find((e) => e.field === field)?.hint).toEqual(expect.any(String));
  expect(JSON.stringify(problem)).not.toContain('secret-in-url');
});

test('a body that is not JSON is a 415', async () => {
  await expectProblem(await api.call('POST', '/v1/connections', 'name=x', { 'content-type': 'text/plain' }), 415, 'body');
});

test("another tenant's connection is not there (404), and not listed", async () => {
  const otherKey = await seedTenant(s.rt, { tenantId: uniqueName('other'), sourceName: 'mine', sourceUrl: stackInfo().sourceUrl });
  const other = { authorization: `Bearer ${otherKey}` };
  await expectProblem(await api.call('GET', '/v1/connections/shop', undefined, other), 404);
  await expectProblem(await api.call('POST', '/v1/connections/shop/test', undefined, other), 404);
  await expectProblem(await api.call('DELETE', '/v1/connections/shop', undefined, other), 404);
  const list = await (await api.call('GET', '/v1/connections', undefined, other)).json();
  expect(list.connections.map((c: { name: string }) => c.name)).toEqual(['mine']);
  expect((await api.call('GET', '/v1/connections/shop')).status).toBe(200); // still there for its own tenant
});

test("the test of the stack's source: logical WAL, a superuser, free slots; every check passes but privileged_role", async () => {
  await register({ name: 'both', url: urlWithPassword() });
  const res = await api.call('POST', '/v1/connections/both/test');
  expect(res.status).toBe(200);
  const report = await res.json();
  expect(report).toMatchObject({
    name: 'both', roles: ['source', 'target'], reachable: true, serverVersion: expect.stringMatching(/^\d+/), walLevel: 'logical',
    superuser: true, replication: true, replicationSlots: { max: 20, used: expect.any(Number), free: expect.any(Number) },
    walSenders: { max: 20, used: expect.any(Number) }, canCreateTables: true, createPrivileges: { schemaPublic: true, database: true },
  });
  expect(report.replicationSlots.free).toBe(20 - report.replicationSlots.used);
  expect(report.checks.map((c: { name: string }) => c.name)).toEqual(
    ['reachable', 'privileged_role', 'wal_level', 'replication', 'replication_slots', 'wal_senders', 'create_publication', 'create_tables']);
  const [privileged, ...rest] = report.checks.slice(1);
  expect(privileged).toEqual({ name: 'privileged_role', ok: false, hint: expect.stringContaining(`the role ${stack.username} is a superuser`) });
  expect(rest.every((c: { ok: boolean; hint: unknown }) => c.ok && c.hint === null)).toBe(true);
  expect(JSON.stringify(report)).not.toContain(PASSWORD);
});

test('the test of a plain role says what to grant; a target is checked only for creating tables', async () => {
  await register({ name: 'plain', url: urlWithPassword('source', role) });
  const report = await (await api.call('POST', '/v1/connections/plain/test')).json();
  expect(report).toMatchObject({ reachable: true, superuser: false, replication: false, canCreateTables: false });
  const failed = Object.fromEntries(report.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string; hint: string }) => [c.name, c.hint]));
  expect(failed).toEqual({
    replication: expect.stringContaining(`ALTER ROLE ${role} REPLICATION`),
    create_publication: expect.stringContaining(`GRANT CREATE ON DATABASE source TO ${role}`),
    create_tables: expect.stringContaining(`GRANT CREATE ON SCHEMA public TO ${role}`),
  });

  const target = await (await api.call('POST', '/v1/connections/warehouse/test')).json();
  expect(target.checks.map((c: { name: string }) => c.name)).toEqual(['reachable', 'privileged_role', 'create_tables']);
});

test('the test of a port where nothing listens: 200, reachable false, the error without the password, and a hint', async () => {
  const port = await freePort();
  await register({ name: 'nowhere', url: `postgresql://someone:${PASSWORD}@127.0.0.1:${port}/db` });
  const res = await api.call('POST', '/v1/connections/nowhere/test');
  expect(res.status).toBe(200);
  const report = await res.json();
  expect(report).toMatchObject({ reachable: false, error: expect.stringContaining('ECONNREFUSED'), serverVersion: null });
  expect(report.checks).toEqual([{ name: 'reachable', ok: false, hint: expect.stringMatching(/listen_addresses/) }]);
  expect(JSON.stringify(report)).not.toContain(PASSWORD);
});

test('DELETE: 204, then 404; refused (409) while an active extraction reads from it, until it is cancelled', async () => {
  await register({ name: 'gone', url: urlWithPassword() });
  expect((await api.call('DELETE', '/v1/connections/gone')).status).toBe(204);
  await expectProblem(await api.call('GET', '/v1/connections/gone'), 404);
  await expectProblem(await api.call('DELETE', '/v1/connections/gone'), 404);

  await register({ name: 'busy', url: urlWithPassword(), roles: ['source'] });
  const job = await (await api.call('POST', '/v1/extractions', { source: 'busy', query: 'SELECT g, pg_sleep(1) FROM generate_series(1, 10) g', mode: 'job' })).json();
  await waitForState(api, job.id, ['Running']);
  const refused = await expectProblem(await api.call('DELETE', '/v1/connections/busy'), 409);
  expect(refused.usedBy).toEqual([{ id: job.id, kind: 'extraction', state: 'Running' }]);
  expect((await api.call('POST', `/v1/jobs/${job.id}/cancel`)).status).toBe(200);
  expect((await api.call('DELETE', '/v1/connections/busy')).status).toBe(204);
});

test('DELETE is refused while any sync names it, as source or target, whatever its state', async () => {
  await register({ name: 'sync-src', url: urlWithPassword(), roles: ['source'] });
  await register({ name: 'sync-dst', url: urlWithPassword('target'), roles: ['target'] });
  const id = `job_${randomBytes(10).toString('hex')}`;
  await s.rt.db.query(
    `INSERT INTO jobs (id, tenant_id, kind, state, request, workflow_id, snapshot) VALUES ($1, $2, 'sync', 'Failed', $3, $4, '{}')`,
    [id, s.tenantId, { source: 'sync-src', target: 'sync-dst', tables: ['public.orders'] }, `test/${id}`],
  );
  for (const name of ['sync-src', 'sync-dst']) {
    const refused = await expectProblem(await api.call('DELETE', `/v1/connections/${name}`), 409);
    expect(refused.usedBy).toEqual([{ id, kind: 'sync', state: 'Failed' }]);
  }
  await s.rt.db.query('DELETE FROM jobs WHERE id = $1', [id]);
  expect((await api.call('DELETE', '/v1/connections/sync-src')).status).toBe(204);
  expect((await api.call('DELETE', '/v1/connections/sync-dst')).status).toBe(204);
});
