// Least privilege at the source, on the real stack: the test flags a superuser and a member (through another
// role) of pg_read_server_files, registering such a role as a source needs allowPrivilegedRole (a target or a
// replication role does not), and tables of PostgreSQL's own schemas are refused by name.
import type { Client as PgClient } from 'pg';
import { sourceClient, stackInfo, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const reader = uniqueName('reader');
const filesVia = uniqueName('files_via'); // a NOLOGIN role in the middle: reader_files → files_via → pg_read_server_files
const filesReader = uniqueName('reader_files');
const replicator = uniqueName('replicator');
const superuser = new URL(stackInfo().sourceUrl).username;

const urlAs = (user: string, database = 'source') => {
  const u = new URL(stackInfo().sourceUrl);
  u.username = user;
  u.pathname = `/${database}`;
  return u.toString();
};

beforeAll(async () => {
  s = await testSluice();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE ROLE ${reader} LOGIN`);
  await src.query(`CREATE ROLE ${filesVia} NOLOGIN IN ROLE pg_read_server_files`);
  await src.query(`CREATE ROLE ${filesReader} LOGIN IN ROLE ${filesVia}`);
  await src.query(`CREATE ROLE ${replicator} LOGIN REPLICATION`);
});

afterAll(async () => {
  for (const role of [filesReader, filesVia, reader, replicator]) await src?.query(`DROP ROLE IF EXISTS ${role}`);
  await src?.end();
  await api?.close();
  await s?.close();
});

const register = (body: Record<string, unknown>) => api.call('POST', '/v1/connections', body);
const testOf = async (name: string) => (await api.call('POST', `/v1/connections/${name}/test`)).json();
type Check = { name: string; ok: boolean; hint: string | null };
const privilegedCheck = (report: { checks: Check[] }) => report.checks.find((c) => c.name === 'privileged_role')!;

test('the test flags a superuser, and a member of pg_read_server_files through another role, saying which', async () => {
  expect((await register({ name: 'super', url: urlAs(superuser), roles: ['source'], allowPrivilegedRole: true })).status).toBe(201);
  const sup = await testOf('super');
  expect(sup).toMatchObject({ superuser: true, privilegedRoles: expect.arrayContaining(['pg_read_server_files', 'pg_signal_backend']) });
  expect(privilegedCheck(sup)).toEqual({ name: 'privileged_role', ok: false, hint: expect.stringContaining(`the role ${superuser} is a superuser`) });
  expect(privilegedCheck(sup).hint).toContain('GRANT SELECT ON ALL TABLES IN SCHEMA public TO sluice_reader');

  expect((await register({ name: 'files', url: urlAs(filesReader), roles: ['source'], allowPrivilegedRole: true })).status).toBe(201);
  const files = await testOf('files');
  expect(files).toMatchObject({ superuser: false, privilegedRoles: ['pg_read_server_files'] });
  expect(privilegedCheck(files)).toEqual({
    name: 'privileged_role', ok: false,
    hint: expect.stringContaining(`the role ${filesReader} is a member of pg_read_server_files (directly or through other roles)`),
  });
  expect(privilegedCheck(files).hint).toContain(`REVOKE pg_read_server_files FROM ${filesReader}`);
});

test('a plain role and a role with REPLICATION alone are not flagged, and register as sources without more', async () => {
  for (const [name, user] of [['plain', reader], ['repl', replicator]]) {
    const res = await register({ name, url: urlAs(user), roles: ['source'] });
    expect(res.status).toBe(201);
    const view = await res.json();
    expect(view).toMatchObject({ allowPrivilegedRole: false, report: { reachable: true, superuser: false, privilegedRoles: [] } });
    expect(privilegedCheck(view.report)).toEqual({ name: 'privileged_role', ok: true, hint: null });
  }
  expect((await testOf('repl')).replication).toBe(true);
});

test('a privileged source is refused without allowPrivilegedRole (POST and PUT), accepted with it', async () => {
  for (const [name, user, why] of [['su-src', superuser, 'is a superuser'], ['files-src', filesReader, 'pg_read_server_files']]) {
    const posted = await expectProblem(await register({ name, url: urlAs(user), roles: ['source'] }), 400, 'allowPrivilegedRole');
    expect(posted.errors[0]).toEqual({
      field: 'allowPrivilegedRole', message: expect.stringContaining(why), hint: expect.stringContaining('"allowPrivilegedRole": true'),
    });
    expect(posted.errors[0].hint).toContain('GRANT SELECT');
    await expectProblem(await api.call('PUT', `/v1/connections/${name}`, { url: urlAs(user), roles: ['source', 'target'] }), 400, 'allowPrivilegedRole');
    await expectProblem(await api.call('GET', `/v1/connections/${name}`), 404); // nothing was registered

    const put = await api.call('PUT', `/v1/connections/${name}`, { url: urlAs(user), roles: ['source'], allowPrivilegedRole: true });
    expect(put.status).toBe(201);
    expect(await put.json()).toMatchObject({ name, allowPrivilegedRole: true, report: { reachable: true } });
    expect(await (await api.call('GET', `/v1/connections/${name}`)).json()).toMatchObject({ allowPrivilegedRole: true });
  }
});

test('a superuser as a target alone registers without allowPrivilegedRole; its test still flags it', async () => {
  const res = await register({ name: 'su-target', url: urlAs(superuser, 'target'), roles: ['target'] });
  expect(res.status).toBe(201);
  expect(privilegedCheck((await res.json()).report)).toMatchObject({ ok: false, hint: expect.stringContaining('GRANT CREATE ON DATABASE target') });
});

test('tables of PostgreSQL\'s own schemas are a 400 naming the field, before the source is even looked up', async () => {
  for (const table of ['pg_catalog.pg_authid', 'information_schema.tables', 'pg_toast.pg_toast_1260']) {
    const refused = await expectProblem(await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job' }), 400, 'table');
    expect(refused.errors).toEqual([{ field: 'table', message: expect.stringContaining('system schema'), hint: expect.any(String) }]);
  }
  // No such connection either: the table is refused by its name alone.
  await expectProblem(await api.call('POST', '/v1/extractions', { source: 'no-such', table: 'pg_catalog.pg_authid' }), 400, 'table');
  await expectProblem(await api.call('POST', '/v1/syncs', { source: 'src', target: 'src', tables: ['public.orders', 'pg_catalog.pg_authid'] }), 400, 'tables[1]');
  await expectProblem(await api.call('POST', '/v1/syncs', { source: 'src', target: 'src', schema: 'pg_catalog' }), 400, 'schema');
});
