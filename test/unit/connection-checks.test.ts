// The judgement of a connection test and of a registration, from what the server said (pure).
import { connectionReport, registrationRefusal, type ServerFacts } from '../../domain/connection-checks';

const plain: ServerFacts = {
  serverVersion: '15.8', walLevel: 'logical', superuser: false, rolReplication: false, maxSlots: 10, usedSlots: 0, maxWalSenders: 10,
  walSendersUsed: 0, createOnDatabase: false, createOnPublic: false, user: 'reader', database: 'shop', privilegedRoles: [], queryRole: null,
};
const reached = (facts: Partial<ServerFacts>) => ({ reachable: true as const, facts: { ...plain, ...facts } });
const checkOf = (facts: Partial<ServerFacts>, name: string, roles: ('source' | 'target')[] = ['source']) =>
  connectionReport(reached(facts), roles).checks.find((c) => c.name === name);

describe('privileged_role', () => {
  test.each([
    ['a plain reader', {}, null],
    ['a role with REPLICATION (what a sync needs)', { rolReplication: true, createOnDatabase: true }, null],
    ['a superuser', { superuser: true, privilegedRoles: ['pg_read_server_files'] }, 'the role reader is a superuser'],
    ['a member of pg_read_server_files', { privilegedRoles: ['pg_read_server_files'] }, 'is a member of pg_read_server_files (directly or through other roles)'],
    ['a member of two', { privilegedRoles: ['pg_signal_backend', 'pg_write_server_files'] }, 'is a member of pg_signal_backend, pg_write_server_files'],
    ['a member of a superuser role', { privilegedRoles: ['postgres'] }, 'is a member of postgres'],
    ['a member of pg_execute_server_program', { privilegedRoles: ['pg_execute_server_program'] }, 'pg_execute_server_program'],
  ])('%s', (_what, facts, flagged) => {
    const c = checkOf(facts, 'privileged_role')!;
    expect(c.ok).toBe(flagged === null);
    if (flagged) expect(c.hint).toContain(flagged);
  });

  test('the hint of a source grants SELECT, of a target CREATE; a member is told what to revoke', () => {
    expect(checkOf({ superuser: true }, 'privileged_role')!.hint).toMatch(/GRANT SELECT ON ALL TABLES IN SCHEMA public TO sluice_reader$/);
    expect(checkOf({ superuser: true }, 'privileged_role', ['target'])!.hint).toMatch(/GRANT CREATE ON DATABASE shop TO sluice_writer/);
    expect(checkOf({ privilegedRoles: ['pg_signal_backend'] }, 'privileged_role')!.hint).toContain('REVOKE pg_signal_backend FROM reader');
  });

  test('the report lists the privileged roles; null when unreachable', () => {
    expect(connectionReport(reached({ privilegedRoles: ['pg_read_server_files'] }), ['source']).privilegedRoles).toEqual(['pg_read_server_files']);
    expect(connectionReport({ reachable: false, error: 'refused', code: 'ECONNREFUSED' }, ['source']).privilegedRoles).toBeNull();
  });
});

describe('query_role', () => {
  test.each([
    ['none configured', null, undefined],
    ['a role the login role is a member of', { name: 'extract', exists: true, member: true }, null],
    ['a role it is not a member of', { name: 'extract', exists: true, member: false }, 'GRANT extract TO reader'],
    ['a role that does not exist', { name: 'Extract Role', exists: false, member: false }, 'no role "Extract Role" exists'],
  ])('%s', (_what, queryRole, hint) => {
    const c = checkOf({ queryRole }, 'query_role');
    if (hint === undefined) return expect(c).toBeUndefined();
    expect(c!.ok).toBe(hint === null);
    if (hint) expect(c!.hint).toContain(hint);
  });
});

describe('registration', () => {
  const source = { roles: ['source' as const], allowPrivilegedRole: false };
  test.each([
    ['a plain reader as a source', {}, source, null],
    ['a replication role as a source', { rolReplication: true }, source, null],
    ['a superuser as a source', { superuser: true }, source, 'allowPrivilegedRole'],
    ['a member of pg_signal_backend as source and target', { privilegedRoles: ['pg_signal_backend'] }, { ...source, roles: ['source' as const, 'target' as const] }, 'allowPrivilegedRole'],
    ['a superuser as a source, allowed', { superuser: true }, { ...source, allowPrivilegedRole: true }, null],
    ['a superuser as a target only (runs no user SQL)', { superuser: true }, { ...source, roles: ['target' as const] }, null],
    ['a queryRole out of reach', { queryRole: { name: 'x', exists: true, member: false } }, source, 'queryRole'],
    ['a queryRole out of reach, even when privileged and allowed', { superuser: false, privilegedRoles: ['pg_signal_backend'], queryRole: { name: 'x', exists: false, member: false } }, { ...source, allowPrivilegedRole: true }, 'queryRole'],
  ])('%s', (_what, facts, registration, field) => {
    const refusal = registrationRefusal(reached(facts), registration);
    expect(refusal?.field ?? null).toBe(field);
    if (field === 'allowPrivilegedRole') expect(refusal!.hint).toContain('"allowPrivilegedRole": true');
  });

  test('a server that cannot be reached is no reason to refuse', () => {
    expect(registrationRefusal({ reachable: false, error: 'timeout', code: null }, source)).toBeNull();
  });
});
