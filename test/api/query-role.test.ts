// A connection's queryRole on the real stack: validated at registration (the login role must be a member of it),
// set (quoted) for query-mode extractions only, and what it may not read fails clearly, inline and as a job.
import type { Client as PgClient } from 'pg';
import { finished, startExtraction } from '../support/jobs';
import { sourceClient, stackInfo, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const login = uniqueName('login');
const narrow = `Narrow "q" ${uniqueName('r')}`; // a name that only works quoted
const outsider = uniqueName('outsider');
const secret = uniqueName('secret');
const open = uniqueName('open');
const superuser = new URL(stackInfo().sourceUrl).username;

const urlAs = (user: string) => {
  const u = new URL(stackInfo().sourceUrl);
  u.username = user;
  return u.toString();
};

beforeAll(async () => {
  s = await testSluice();
  [api] = await Promise.all([startApi(s), s.startWorker()]);
  src = await sourceClient();
  const q = src.escapeIdentifier(narrow);
  await src.query(`CREATE TABLE ${secret} (id int PRIMARY KEY, salary numeric)`);
  await src.query(`INSERT INTO ${secret} VALUES (1, 100), (2, 200)`);
  await src.query(`CREATE TABLE ${open} (id int PRIMARY KEY, label text)`);
  await src.query(`INSERT INTO ${open} VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
  await src.query(`CREATE ROLE ${login} LOGIN`);
  await src.query(`GRANT SELECT ON ${secret}, ${open} TO ${login}`);
  await src.query(`CREATE ROLE ${q} NOLOGIN`);
  await src.query(`GRANT USAGE ON SCHEMA public TO ${q}`);
  await src.query(`GRANT SELECT ON ${open} TO ${q}`);
  await src.query(`GRANT ${q} TO ${login}, ${superuser}`);
  await src.query(`CREATE ROLE ${outsider} NOLOGIN`);
  const register = (name: string, user: string, more: Record<string, unknown> = {}) =>
    api.call('PUT', `/v1/connections/${name}`, { url: urlAs(user), roles: ['source'], queryRole: narrow, ...more });
  expect((await register('scoped', login)).status).toBe(201);
  expect((await register('super-scoped', superuser, { allowPrivilegedRole: true })).status).toBe(201);
});

afterAll(async () => {
  await src?.query(`DROP TABLE IF EXISTS ${secret}, ${open}`);
  for (const role of [login, narrow, outsider]) {
    await src?.query(`DROP OWNED BY ${src.escapeIdentifier(role)}`).catch(() => undefined);
    await src?.query(`DROP ROLE IF EXISTS ${src.escapeIdentifier(role)}`);
  }
  await src?.end();
  await api?.close();
  await s?.close();
});

const inline = (source: string, query: string) => api.call('POST', '/v1/extractions', { source, query, mode: 'inline', format: 'ndjson', compression: 'none' });

test('registration checks the queryRole: a role the login role is not a member of, or none, is a 400 naming queryRole', async () => {
  const notMember = await expectProblem(await api.call('POST', '/v1/connections', { name: 'outside', url: urlAs(login), roles: ['source'], queryRole: outsider }), 400, 'queryRole');
  expect(notMember.errors[0].hint).toContain(`GRANT ${outsider} TO ${login}`);
  const missing = await expectProblem(await api.call('POST', '/v1/connections', { name: 'missing', url: urlAs(login), roles: ['source'], queryRole: 'no_such_role' }), 400, 'queryRole');
  expect(missing.errors[0].hint).toContain('no role no_such_role exists');

  const view = await (await api.call('GET', '/v1/connections/scoped')).json();
  expect(view).toMatchObject({ queryRole: narrow, allowPrivilegedRole: false });
  const report = await (await api.call('POST', '/v1/connections/scoped/test')).json();
  expect(report.checks.find((c: { name: string }) => c.name === 'query_role')).toEqual({ name: 'query_role', ok: true, hint: null });
});

test('a query runs as the queryRole; a table is read as the login role', async () => {
  const who = await inline('scoped', 'SELECT current_user AS role, session_user AS login');
  expect(who.status).toBe(200);
  expect(JSON.parse(await who.text())).toEqual({ role: narrow, login });
  expect((await inline('scoped', `SELECT count(*) AS n FROM ${open}`)).status).toBe(200);
  const table = await api.call('POST', '/v1/extractions', { source: 'scoped', table: secret, mode: 'inline', format: 'ndjson', compression: 'none' });
  expect(table.status).toBe(200);
  expect((await table.text()).trim().split('\n')).toHaveLength(2);
});

test('a query reading what the queryRole may not: 400 on query naming the role to grant it to', async () => {
  const refused = await expectProblem(await inline('scoped', `SELECT * FROM ${secret}`), 400, 'query');
  expect(refused.errors[0].message).toContain(`permission denied for table ${secret}`);
  expect(refused.errors[0].message).toContain(`queryRole "${narrow}"`);
  expect(refused.errors[0].hint).toContain(`TO ${src.escapeIdentifier(narrow)}`);
});

test('as a job (past the API\'s check), the same query fails at once with permission_denied naming the role', async () => {
  const { handle } = await startExtraction(s, { source: 'scoped', query: `SELECT * FROM ${secret}` });
  const snap = await finished(handle);
  expect(snap.state).toBe('Failed');
  expect(snap.error).toMatchObject({ code: 'permission_denied', sqlstate: '42501', retryable: false });
  expect(snap.error!.message).toContain(`queryRole "${narrow}"`);
  expect(snap.error!.suggestion).toContain(`GRANT SELECT ON <table>`);
  expect(snap.attempts).toBe(1);
});

test('pg_read_file: allowed to the superuser login, refused under its queryRole', async () => {
  const reads = 'SELECT length(pg_read_file(\'PG_VERSION\')) > 0 AS read';
  expect((await api.call('PUT', '/v1/connections/super', { url: urlAs(superuser), roles: ['source'], allowPrivilegedRole: true })).status).toBe(201);
  const asSuper = await inline('super', reads);
  expect(asSuper.status).toBe(200);
  expect(JSON.parse(await asSuper.text())).toEqual({ read: true });
  const refused = await expectProblem(await inline('super-scoped', reads), 400, 'query');
  expect(refused.errors[0].message).toContain('permission denied for function pg_read_file');
});
