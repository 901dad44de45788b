// What Initializing checks on a source before it creates anything, each failure naming what to change. On a
// PostgreSQL cluster of the test's own: wal_level and max_replication_slots change only with a restart, and the
// shared cluster must keep its slots for the other test files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { ensureBinaries, type Binaries } from '../../dev/binaries';
import { freePort, startPostgres, type PostgresService } from '../../dev/services';
import { checkSource, SyncSetupError } from '../../connectors/postgres/sync/source-setup';

let bins: Binaries;
let dir: string;
let port: number;
let pg: PostgresService | null = null;

beforeAll(async () => {
  bins = await ensureBinaries();
  dir = mkdtempSync(join(tmpdir(), 'sluice-source-checks-'));
  port = await freePort();
});

afterAll(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function restart(settings: Record<string, string>): Promise<void> {
  await pg?.stop();
  pg = await startPostgres(bins, dir, port, undefined, undefined, settings);
}

async function withClient<T>(url: string, use: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new PgClient({ connectionString: url });
  await c.connect();
  try {
    return await use(c);
  } finally {
    await c.end();
  }
}

/** The code of the error checkSource stops on, or 'ok'. */
const check = (url: string, slot: string | null, tables = ['public.orders']) =>
  withClient(url, (c) => checkSource(c, { tables, slot }).then(
    () => 'ok',
    (err) => {
      if (!(err instanceof SyncSetupError)) throw err;
      expect(err.jobError.suggestion).toBeTruthy(); // each says what to change
      return err.jobError.code;
    },
  ));

test('wal_level below logical is refused, and says how to change it', async () => {
  await restart({ wal_level: 'replica' });
  await withClient(pg!.url(), (c) => c.query('CREATE TABLE orders (id int PRIMARY KEY, note text)'));
  expect(await check(pg!.url(), 'sluice_sync_a')).toBe('wal_level_not_logical');
  // A full-only sync reads no WAL: it needs none of it.
  expect(await check(pg!.url(), null)).toBe('ok');
});

test('no free replication slot is refused; a slot the sync already has is not counted against it', async () => {
  await restart({ max_replication_slots: '1' });
  await withClient(pg!.url(), (c) => c.query(`SELECT pg_create_logical_replication_slot('sluice_sync_b', 'pgoutput')`));
  expect(await check(pg!.url(), 'sluice_sync_c')).toBe('no_free_replication_slot');
  expect(await check(pg!.url(), 'sluice_sync_b')).toBe('ok'); // its own, left by an earlier attempt
  await withClient(pg!.url(), (c) => c.query(`SELECT pg_drop_replication_slot('sluice_sync_b')`));
  expect(await check(pg!.url(), 'sluice_sync_c')).toBe('ok');
});

test('a role without REPLICATION is refused; so are a table without a primary key and one that logs no key', async () => {
  await withClient(pg!.url(), async (c) => {
    await c.query('CREATE ROLE reader LOGIN');
    await c.query('GRANT SELECT ON orders TO reader');
    await c.query('CREATE TABLE notes (body text)');
    await c.query('CREATE TABLE quiet (id int PRIMARY KEY)');
    await c.query('ALTER TABLE quiet REPLICA IDENTITY NOTHING');
  });
  const url = new URL(pg!.url());
  url.username = 'reader';
  expect(await check(url.toString(), 'sluice_sync_d')).toBe('replication_not_permitted');
  expect(await check(pg!.url(), 'sluice_sync_d', ['public.orders', 'public.notes'])).toBe('table_without_primary_key');
  expect(await check(pg!.url(), 'sluice_sync_d', ['public.orders', 'public.quiet'])).toBe('replica_identity_unusable');
});
