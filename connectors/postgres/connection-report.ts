// What a PostgreSQL server lets Sluice do with a connection: one short session (connect and statements time
// out after a few seconds), read-only, asking the catalog and the settings. domain/connection-checks.ts judges it.
import { Client } from 'pg';
import { PRIVILEGED_ROLES, type Reachability } from '../../domain/connection-checks';

const FACTS = `
  SELECT current_setting('server_version') AS "serverVersion",
         current_setting('wal_level') AS "walLevel",
         r.rolsuper AS superuser,
         r.rolreplication AS "rolReplication",
         current_setting('max_replication_slots')::int AS "maxSlots",
         (SELECT count(*)::int FROM pg_replication_slots) AS "usedSlots",
         current_setting('max_wal_senders')::int AS "maxWalSenders",
         has_database_privilege(current_database(), 'CREATE') AS "createOnDatabase",
         CASE WHEN to_regnamespace('public') IS NULL THEN false ELSE has_schema_privilege('public', 'CREATE') END AS "createOnPublic",
         current_user AS "user",
         current_database() AS database,
         -- pg_has_role(…, 'MEMBER') follows memberships through other roles; SET ROLE to a superuser role makes one.
         array(SELECT p.rolname::text FROM pg_roles p
                WHERE (p.rolname = ANY ($1) OR (p.rolsuper AND p.rolname <> current_user)) AND pg_has_role(current_user, p.oid, 'MEMBER')
                ORDER BY 1) AS "privilegedRoles",
         CASE WHEN $2::text IS NULL THEN NULL ELSE json_build_object(
           'name', $2::text,
           'exists', EXISTS (SELECT 1 FROM pg_roles q WHERE q.rolname = $2),
           'member', EXISTS (SELECT 1 FROM pg_roles q WHERE q.rolname = $2 AND pg_has_role(current_user, q.oid, 'MEMBER'))) END AS "queryRole"
    FROM pg_roles r WHERE r.rolname = current_user`;

/** `queryRole`: the connection's, whether the login role may SET ROLE to it is among the facts. */
export async function readServerFacts(url: string, o: { queryRole?: string | null; timeoutMs?: number } = {}): Promise<Reachability> {
  const timeoutMs = o.timeoutMs ?? 5_000;
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1_000, // the client's own limit, should the server not answer at all
    application_name: 'sluice-connection-test',
  });
  client.on('error', () => undefined); // a connection lost after the report is not news
  try {
    await client.connect();
    const row = (await client.query(FACTS, [PRIVILEGED_ROLES, o.queryRole ?? null])).rows[0];
    // pg_stat_replication lists the WAL senders at work; a role without pg_read_all_stats still sees their rows.
    const walSendersUsed = await client
      .query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_replication')
      .then((r) => r.rows[0].n, () => null);
    return { reachable: true, facts: { ...row, walSendersUsed } };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { reachable: false, error: withoutPassword(e.message || String(err), url), code: e.code ?? null };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Drivers do not echo passwords, but an error message must never be where one leaks.
function withoutPassword(message: string, url: string): string {
  let password = '';
  try {
    const u = new URL(url);
    password = u.password ? decodeURIComponent(u.password) : '';
    if (u.password) message = message.split(u.password).join('***');
  } catch {
    // not a URL we could read: nothing to take out
  }
  return password ? message.split(password).join('***') : message;
}
