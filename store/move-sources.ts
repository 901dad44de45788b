// Moves the rows of the old `sources` table into `connections` (role source), encrypting their URLs, then drops
// `sources`. Run right after the migrations: SQL cannot encrypt. Without the key ring the rows wait in `sources`
// for the next migration that has it; nothing is lost.
import { Client } from 'pg';
import { describeConnectionUrl } from '../domain/connection';
import { ConnectionStore } from './connections';
import type { KeyRing } from './secret-box';

export async function moveSources(databaseUrl: string, keys: KeyRing | undefined, log: (msg: string) => void): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Two processes migrating at once: the second finds the table gone.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('sluice:move-sources'))");
    const present = await client.query<{ present: boolean }>("SELECT to_regclass('public.sources') IS NOT NULL AS present");
    if (!present.rows[0].present) {
      await client.query('COMMIT');
      return;
    }
    const rows = (await client.query<{ tenant_id: string; name: string; connection_url: string }>('SELECT tenant_id, name, connection_url FROM sources')).rows;
    if (rows.length && !keys) {
      await client.query('ROLLBACK');
      log(`${rows.length} source(s) wait in table sources to be encrypted into connections: migrate with SLUICE_SECRET_KEYS set`);
      return;
    }
    const store = keys ? new ConnectionStore(client, keys) : null;
    for (const row of rows) {
      try {
        describeConnectionUrl(row.connection_url);
      } catch (err) {
        throw new Error(`source "${row.name}" of tenant "${row.tenant_id}" cannot become a connection: its URL ${(err as Error).message}; ` +
          'mend or delete that row of table sources, then migrate again');
      }
      const moved = await store!.create(row.tenant_id, { name: row.name, roles: ['source'], url: row.connection_url });
      log(moved ? `source ${row.tenant_id}/${row.name} is now a connection` : `source ${row.tenant_id}/${row.name}: a connection of that name exists; kept it`);
    }
    await client.query('DROP TABLE sources');
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
