// What Sluice can do with a connection, judged from what its server says (connectors/postgres/connection-report.ts
// asks): each check says what to change when it fails. Pure.
import type { ConnectionRole } from './connection';

export interface ServerFacts {
  serverVersion: string;
  walLevel: string;
  superuser: boolean;
  rolReplication: boolean;
  maxSlots: number;
  usedSlots: number;
  maxWalSenders: number;
  /** null when the role may not count them. */
  walSendersUsed: number | null;
  createOnDatabase: boolean;
  createOnPublic: boolean;
  user: string;
  database: string;
  /** Of PRIVILEGED_ROLES and the superuser roles, those the login role is a member of (directly or through others). */
  privilegedRoles: string[];
  /** The connection's queryRole as the server knows it; null when none is configured. */
  queryRole: { name: string; exists: boolean; member: boolean } | null;
}

// Predefined roles whose members reach beyond the database: server files, programs, other sessions (Sluice's own).
export const PRIVILEGED_ROLES = ['pg_execute_server_program', 'pg_read_server_files', 'pg_signal_backend', 'pg_write_server_files'] as const;

export type Reachability = { reachable: true; facts: ServerFacts } | { reachable: false; error: string; code: string | null };

export interface Check {
  name: string;
  ok: boolean;
  hint: string | null;
}

const ident = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);
const check = (name: string, ok: boolean, hint: string): Check => ({ name, ok, hint: ok ? null : hint });

// Hints for a server that could not be reached, by the error's code (Node's or PostgreSQL's SQLSTATE).
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'nothing accepts connections at that host and port: is PostgreSQL running, and does listen_addresses include an address Sluice reaches?',
  ENOTFOUND: 'the host name does not resolve: check host',
  EAI_AGAIN: 'the host name could not be resolved just now: check host and DNS',
  ETIMEDOUT: 'no answer in time: check host, port and the firewalls between Sluice and the server',
  EHOSTUNREACH: 'the host cannot be reached from Sluice: check host and the network',
  '28P01': 'password authentication failed: check user and password',
  '28000': 'the server refuses this user from Sluice\'s address: add a line for it to pg_hba.conf and reload PostgreSQL',
  '3D000': 'the database does not exist: check database, or CREATE DATABASE it',
};

function unreachableHint(error: string, code: string | null): string {
  if (code && UNREACHABLE[code]) return UNREACHABLE[code];
  if (/timeout/i.test(error)) return UNREACHABLE.ETIMEDOUT;
  if (/ssl/i.test(error)) return 'TLS did not work out: set sslmode to what the server offers (require, or disable for a server without TLS)';
  return 'check the URL, and that PostgreSQL accepts connections from Sluice';
}

/** Why the login role is privileged (a superuser, or a member of a privileged role); null when it is not. */
export function privilegeOf(f: ServerFacts): string | null {
  if (f.superuser) return `the role ${ident(f.user)} is a superuser`;
  if (!f.privilegedRoles.length) return null;
  return `the role ${ident(f.user)} is a member of ${f.privilegedRoles.join(', ')} (directly or through other roles)`;
}

// What to grant instead: a source reads, a target creates and fills its tables.
function narrowRoleHint(f: ServerFacts, roles: readonly ConnectionRole[]): string {
  const revoke = f.superuser ? '' : `, or REVOKE ${f.privilegedRoles.join(', ')} FROM ${ident(f.user)} (or from the role it holds them through)`;
  const grants = roles.includes('source')
    ? `CREATE ROLE sluice_reader LOGIN PASSWORD '…'; GRANT USAGE ON SCHEMA public TO sluice_reader; GRANT SELECT ON ALL TABLES IN SCHEMA public TO sluice_reader`
    : `CREATE ROLE sluice_writer LOGIN PASSWORD '…'; GRANT CREATE ON DATABASE ${ident(f.database)} TO sluice_writer; GRANT USAGE, CREATE ON SCHEMA public TO sluice_writer`;
  return `register a role with only what Sluice needs, e.g. ${grants}${revoke}`;
}

function queryRoleCheck(f: ServerFacts): Check[] {
  const q = f.queryRole;
  if (!q) return [];
  const hint = q.exists
    ? `GRANT ${ident(q.name)} TO ${ident(f.user)}, so that the login role may SET ROLE ${ident(q.name)}`
    : `no role ${ident(q.name)} exists: CREATE ROLE ${ident(q.name)} NOLOGIN; GRANT USAGE ON SCHEMA public TO ${ident(q.name)}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ident(q.name)}; GRANT ${ident(q.name)} TO ${ident(f.user)}`;
  return [check('query_role', q.exists && q.member, hint)];
}

function checksOf(f: ServerFacts, roles: readonly ConnectionRole[]): Check[] {
  const user = ident(f.user);
  const privilege = privilegeOf(f);
  const replication = f.superuser || f.rolReplication;
  const canCreateTables = f.superuser || f.createOnPublic || f.createOnDatabase;
  const source = [
    check('wal_level', f.walLevel === 'logical', `wal_level is ${f.walLevel}: set wal_level = logical in postgresql.conf and restart PostgreSQL`),
    check('replication', replication, `ALTER ROLE ${user} REPLICATION (as a superuser), so that Sluice may stream changes`),
    check('replication_slots', f.maxSlots - f.usedSlots > 0,
      `all ${f.maxSlots} replication slots are taken: raise max_replication_slots in postgresql.conf and restart, or drop unused slots`),
    check('wal_senders', f.walSendersUsed === null ? f.maxWalSenders > 0 : f.walSendersUsed < f.maxWalSenders,
      `no WAL sender is free (max_wal_senders = ${f.maxWalSenders}): raise max_wal_senders in postgresql.conf and restart`),
    // CREATE PUBLICATION needs CREATE on the database (and ownership of the tables it publishes).
    check('create_publication', f.superuser || f.createOnDatabase, `GRANT CREATE ON DATABASE ${ident(f.database)} TO ${user}, so that Sluice may create its publication`),
  ];
  const target = [
    check('create_tables', canCreateTables, `GRANT CREATE ON SCHEMA public TO ${user}, so that Sluice may create the tables it fills`),
  ];
  return [
    check('privileged_role', privilege === null, `${privilege}: ${narrowRoleHint(f, roles)}`),
    ...(roles.includes('source') ? [...source, ...queryRoleCheck(f)] : []),
    ...(roles.includes('target') ? target : []),
  ];
}

export interface Registration {
  roles: readonly ConnectionRole[];
  allowPrivilegedRole: boolean;
}

/**
 * Why a connection may not be registered as given, naming the field to change; null when it may. A server that
 * cannot be reached is no reason (the report says so; a queryRole that does not work fails its queries).
 * Only a source runs users' SQL, so only a source's privileged role needs allowPrivilegedRole; what a sync
 * needs (REPLICATION, CREATE, ownership of its tables) is not privileged here.
 */
export function registrationRefusal(r: Reachability, c: Registration): { field: string; message: string; hint: string } | null {
  if (!r.reachable) return null;
  const [queryRole] = queryRoleCheck(r.facts);
  if (queryRole && !queryRole.ok) {
    return { field: 'queryRole', message: `the role ${ident(r.facts.user)} cannot SET ROLE ${ident(r.facts.queryRole!.name)}`, hint: queryRole.hint! };
  }
  const privilege = privilegeOf(r.facts);
  if (!c.roles.includes('source') || privilege === null || c.allowPrivilegedRole) return null;
  return {
    field: 'allowPrivilegedRole',
    message: `${privilege}: extractions from this source could run any SQL it may, such as reading server files or ending other sessions`,
    hint: `${narrowRoleHint(r.facts, c.roles)}; or send "allowPrivilegedRole": true to register it as it is`,
  };
}

/** The report of POST /v1/connections/:name/test; the checks are those of the connection's roles. */
export function connectionReport(r: Reachability, roles: readonly ConnectionRole[]) {
  if (!r.reachable) {
    return {
      reachable: false, error: r.error, serverVersion: null, walLevel: null, superuser: null, replication: null,
      replicationSlots: null, walSenders: null, canCreateTables: null, createPrivileges: null, privilegedRoles: null,
      checks: [check('reachable', false, unreachableHint(r.error, r.code))],
    };
  }
  const f = r.facts;
  return {
    reachable: true,
    serverVersion: f.serverVersion,
    walLevel: f.walLevel,
    superuser: f.superuser,
    replication: f.superuser || f.rolReplication,
    replicationSlots: { max: f.maxSlots, used: f.usedSlots, free: Math.max(0, f.maxSlots - f.usedSlots) },
    walSenders: { max: f.maxWalSenders, used: f.walSendersUsed },
    // Tables can be made in schema public (CREATE on it), or in a schema of Sluice's own (CREATE on the database).
    canCreateTables: f.superuser || f.createOnPublic || f.createOnDatabase,
    createPrivileges: { schemaPublic: f.superuser || f.createOnPublic, database: f.superuser || f.createOnDatabase },
    privilegedRoles: f.privilegedRoles,
    checks: [check('reachable', true, ''), ...checksOf(f, roles)],
  };
}
