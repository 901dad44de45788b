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
}

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

function checksOf(f: ServerFacts, roles: readonly ConnectionRole[]): Check[] {
  const user = ident(f.user);
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
  return [...(roles.includes('source') ? source : []), ...(roles.includes('target') ? target : [])];
}

/** The report of POST /v1/connections/:name/test; the checks are those of the connection's roles. */
export function connectionReport(r: Reachability, roles: readonly ConnectionRole[]) {
  if (!r.reachable) {
    return {
      reachable: false, error: r.error, serverVersion: null, walLevel: null, superuser: null, replication: null,
      replicationSlots: null, walSenders: null, canCreateTables: null, createPrivileges: null,
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
    checks: [check('reachable', true, ''), ...checksOf(f, roles)],
  };
}
