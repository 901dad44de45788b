// A Sluice database from before connections keeps its sources: the migration run with the keys moves them into
// connections (role source), encrypted, and drops `sources`; without the keys they wait.
import { Client } from 'pg';
import { migrate } from '../../store/migrate';
import { ConnectionStore } from '../../store/connections';
import { KeyRing } from '../../store/secret-box';
import { ownSluiceDatabase, TEST_SECRET_KEYS } from '../support/stack';

test('old sources become encrypted connections with role source, and the table goes', async () => {
  const url = await ownSluiceDatabase();
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    // The table as the first migration made it, with a row in it.
    await db.query(`CREATE TABLE sources (tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE, name text NOT NULL,
      connection_url text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, name))`);
    await db.query("INSERT INTO tenants (id, name) VALUES ('acme', 'acme')");
    await db.query("INSERT INTO sources VALUES ('acme', 'shop', 'postgresql://reader:hunter22@db.example.com:6432/shop')");

    const logged: string[] = [];
    await migrate(url, (m) => logged.push(m));
    expect(logged.join('\n')).toContain('1 source(s) wait in table sources');
    expect((await db.query("SELECT count(*)::int AS n FROM sources")).rows[0].n).toBe(1);

    const keys = KeyRing.parse(TEST_SECRET_KEYS);
    await migrate(url, () => undefined, keys);
    expect((await db.query("SELECT to_regclass('public.sources') AS t")).rows[0].t).toBeNull();
    const raw = await db.query("SELECT row_to_json(c)::text AS row FROM connections c WHERE tenant_id = 'acme'");
    expect(raw.rows[0].row).not.toContain('hunter22');
    const store = new ConnectionStore(db, keys);
    expect(await store.get('acme', 'shop')).toMatchObject({ roles: ['source'], host: 'db.example.com', port: 6432, database: 'shop', user: 'reader' });
    expect(await store.sourceUrl('acme', 'shop')).toBe('postgresql://reader:hunter22@db.example.com:6432/shop');
  } finally {
    await db.end();
  }
});
