// The demo source's roles: what a tenant would register instead of a superuser (README, Connections).
// - sluice_demo_reader (connection `demo`): SELECT on the tables of schema public, nothing else.
// - sluice_demo_sync (connection `demo-sync`, for syncs): REPLICATION, CREATE on the database for its publication,
//   and owner of the demo's tables (a publication may hold only tables its maker owns). Not a superuser.
// Neither may read Sluice's own database (no grants there) nor signal its sessions (no pg_signal_backend).
// Made again on every start (a second run finds them).
import { Client } from 'pg';

const DEMO_READER = 'sluice_demo_reader';
const DEMO_SYNC = 'sluice_demo_sync';

const ensureRole = (db: Client, name: string, attributes: string) =>
  db.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${db.escapeLiteral(name)}) THEN CREATE ROLE ${db.escapeIdentifier(name)}; END IF;
    END $$`).then(() => db.query(`ALTER ROLE ${db.escapeIdentifier(name)} ${attributes}`));

/** Makes the roles on the source database of `adminUrl` (a superuser's); returns the URLs of the two connections. */
export async function ensureDemoRoles(adminUrl: string, tables: string[]): Promise<{ readerUrl: string; syncUrl: string }> {
  const db = new Client({ connectionString: adminUrl });
  await db.connect();
  try {
    const database = db.escapeIdentifier(db.database!);
    const reader = db.escapeIdentifier(DEMO_READER);
    const sync = db.escapeIdentifier(DEMO_SYNC);
    await ensureRole(db, DEMO_READER, 'LOGIN NOSUPERUSER NOREPLICATION NOCREATEDB NOCREATEROLE');
    await ensureRole(db, DEMO_SYNC, 'LOGIN NOSUPERUSER REPLICATION NOCREATEDB NOCREATEROLE');
    await db.query(`GRANT CONNECT ON DATABASE ${database} TO ${reader}, ${sync}`);
    await db.query(`GRANT CREATE ON DATABASE ${database} TO ${sync}`);
    await db.query(`GRANT USAGE ON SCHEMA public TO ${reader}, ${sync}`);
    for (const table of tables) await db.query(`ALTER TABLE public.${db.escapeIdentifier(table)} OWNER TO ${sync}`);
    await db.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader}`);
  } finally {
    await db.end();
  }
  const as = (user: string) => {
    const u = new URL(adminUrl);
    u.username = user;
    return u.toString();
  };
  return { readerUrl: as(DEMO_READER), syncUrl: as(DEMO_SYNC) };
}
