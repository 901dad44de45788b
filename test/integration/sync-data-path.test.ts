// The sync data path on real PostgreSQL (source and target databases, wal_level=logical), its activities run in
// Temporal's mock activity environment: initialize, copy every range while a writer changes the source, then
// stream until caught up. Afterwards the target equals the source row by row, whatever the writer did: inserts,
// updates, primary-key updates, deletes, large TOASTed values left unchanged, several changes to a row in one
// transaction, transactions over several tables, truncate and refill.
import { MockActivityEnvironment } from '@temporalio/testing';
import { execFileSync } from 'node:child_process';
import { Client as PgClient } from 'pg';
import { createSyncActivities, type SyncActivities } from '../../activities/sync';
import type { Initialized } from '../../activities/sync/initialize';
import { SourcePools } from '../../connectors/postgres/pools';
import type { SyncMetricsSample } from '../../domain/sync-metrics';
import { syncRequestSchema, type SyncRequest } from '../../domain/sync-request';
import { stackInfo, uniqueName } from '../support/stack';

const schema = uniqueName('sync');
let src: PgClient;
let dst: PgClient;
let pools: SourcePools;
let acts: SyncActivities;
const samples: SyncMetricsSample[] = [];

beforeAll(async () => {
  src = new PgClient({ connectionString: stackInfo().sourceUrl });
  dst = new PgClient({ connectionString: stackInfo().targetUrl });
  await Promise.all([src.connect(), dst.connect()]);
  await src.query(`CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.main (id bigint PRIMARY KEY, n int NOT NULL, big text, at timestamptz(6));
    CREATE TABLE ${schema}.coded (code text PRIMARY KEY, amount numeric(12,2), tags text[]);
    CREATE TABLE ${schema}.refill (id int PRIMARY KEY, v text);
    INSERT INTO ${schema}.main SELECT g, g, CASE WHEN g % 10 = 0 THEN (SELECT string_agg(md5(g::text || x::text), '') FROM generate_series(1, 200) x) END,
      timestamptz '2025-01-01 00:00:00.123456+00' + g * interval '1 second' FROM generate_series(1, 3000) g;
    INSERT INTO ${schema}.coded SELECT 'c' || g, g / 7.0, ARRAY['a' || g, NULL] FROM generate_series(1, 2000) g;
    INSERT INTO ${schema}.refill SELECT g, 'v' || g FROM generate_series(1, 100) g;
    ANALYZE ${schema}.main; ANALYZE ${schema}.coded;`);
  pools = new SourcePools();
  const urls = { src: stackInfo().sourceUrl, dst: stackInfo().targetUrl };
  acts = createSyncActivities({
    pools,
    connectionUrl: async (_t, name) => urls[name as keyof typeof urls] ?? null,
    metrics: { record: async (s) => void samples.push(s), latest: async () => samples[samples.length - 1] ?? null },
    metricsIntervalMs: 500,
    log: { warn: () => undefined },
  });
});

afterAll(async () => {
  await src.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'sluice_sync_${schema.slice(5)}%'`).catch(() => undefined);
  await Promise.all([src.end(), dst.end(), pools.end()]);
});

// One writer transaction, chosen by i: every kind of change the stream must apply.
async function write(i: number): Promise<void> {
  const id = 1 + ((i * 37) % 3000);
  const statements = [
    `INSERT INTO ${schema}.main VALUES (${10_000 + i}, ${i}, repeat(md5('${i}'), 100), now())`,
    `UPDATE ${schema}.main SET n = n + 1 WHERE id = ${id - (id % 10)}`, // a TOASTed big left unchanged
    `UPDATE ${schema}.main SET id = id + 100000 WHERE id = ${id}`, // a primary-key change
    `DELETE FROM ${schema}.main WHERE id = ${1 + ((i * 53) % 3000)}`,
    `UPDATE ${schema}.coded SET amount = amount + 1, tags = tags || '${i}'::text WHERE code = 'c${1 + (i % 2000)}'`,
    `INSERT INTO ${schema}.coded VALUES ('new${i}', ${i}.5, NULL)`,
  ];
  await src.query('BEGIN');
  await src.query(statements[i % statements.length]);
  if (i % 5 === 0) {
    // Several changes to one row, and a second table, in one transaction.
    await src.query(`INSERT INTO ${schema}.main VALUES (${20_000 + i}, 0, NULL, NULL)`);
    await src.query(`UPDATE ${schema}.main SET n = 1 WHERE id = ${20_000 + i}`);
    await src.query(`UPDATE ${schema}.main SET n = 2, big = 'x' WHERE id = ${20_000 + i}`);
    await src.query(`UPDATE ${schema}.coded SET code = 'moved${i}' WHERE code = 'c${1 + ((i * 7) % 2000)}'`);
  }
  if (i % 40 === 0) {
    await src.query(`TRUNCATE ${schema}.refill`);
    await src.query(`INSERT INTO ${schema}.refill SELECT g, 'v${i}-' || g FROM generate_series(1, 50) g`);
  }
  await src.query('COMMIT');
}

const dump = (url: string, table: string, key: string) =>
  execFileSync('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY (SELECT * FROM ${schema}.${table} ORDER BY ${key}) TO STDOUT`], { maxBuffer: 1 << 28 }).toString();

async function caughtUp(lsn: string): Promise<void> {
  for (;;) {
    const res = await dst.query(`SELECT lsn >= $2::pg_lsn AS ok FROM _sluice.sync_watermarks WHERE job_id = $1`, [jobId, lsn]);
    if (res.rows[0]?.ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const jobId = `sync_${schema.slice(5)}`;
const request: SyncRequest = (({ start: _start, ...r }) => r)(syncRequestSchema.parse({
  source: 'src', target: 'dst', schema, mode: 'full+incremental', options: { rowsPerRange: 1000, heartbeatIntervalSeconds: 1 },
}));
const ref = { jobId, tenantId: 't', run: 1 };

test('a snapshot under a concurrent writer, then the stream: the target equals the source', async () => {
  const init: Initialized = await new MockActivityEnvironment().run(acts.initializeSync, { ...ref, request });
  expect(init.slot?.name).toBe(`sluice_${jobId}`);
  expect(init.tables.map((t) => t.table)).toEqual([`${schema}.coded`, `${schema}.main`, `${schema}.refill`]);
  expect(init.tables.find((t) => t.table.endsWith('main'))).toMatchObject({ strategy: 'key-range' });
  expect(init.tables.find((t) => t.table.endsWith('coded'))).toMatchObject({ strategy: 'block-range' });

  let writes = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) await write(writes++);
  })();
  for (const t of init.tables) {
    for (const range of t.ranges) {
      await new MockActivityEnvironment().run(acts.copySyncRange, { ...ref, source: 'src', target: 'dst', table: t.table, strategy: t.strategy, range });
    }
  }
  const streamEnv = new MockActivityEnvironment();
  const streaming = streamEnv.run(acts.streamChanges, { ...ref, request, tables: init.tables.map((t) => t.table), copied: { rows: 0, bytes: 0 }, spellSeconds: 600 });
  await new Promise((r) => setTimeout(r, 3000));
  writing = false;
  await writer;
  expect(writes).toBeGreaterThan(50);
  const marker = await src.query<{ lsn: string }>(`SELECT pg_logical_emit_message(true, 'test', 'end')::text AS lsn`);
  await caughtUp(marker.rows[0].lsn);
  streamEnv.cancel();
  await expect(streaming).rejects.toThrow();

  for (const [table, key] of [['main', 'id'], ['coded', 'code'], ['refill', 'id']]) {
    expect(dump(stackInfo().targetUrl, table, key)).toEqual(dump(stackInfo().sourceUrl, table, key));
  }
  expect(samples.length).toBeGreaterThan(0);
});
