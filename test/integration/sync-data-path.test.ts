// The sync data path on real PostgreSQL (source and target databases, wal_level=logical), its activities run in
// Temporal's mock activity environment: initialize, copy every range while a writer changes the source, then
// stream until caught up. Afterwards the target equals the source row by row, whatever the writer did: inserts,
// updates, primary-key updates, deletes, large TOASTed values left unchanged, several changes to a row in one
// transaction, transactions over several tables, truncate and refill.
import { MockActivityEnvironment } from '@temporalio/testing';
import { Client as PgClient } from 'pg';
import { createSyncActivities, type SyncActivities } from '../../activities/sync';
import type { Initialized } from '../../activities/sync/initialize';
import { SourcePools } from '../../connectors/postgres/pools';
import { readShapes, type TableShape } from '../../connectors/postgres/sync/table-shape';
import { Applier, StaleStreamError } from '../../connectors/postgres/sync/applier';
import { readWatermark, resetWatermark } from '../../connectors/postgres/sync/target-setup';
import { compareLsn, WalReader } from '../../connectors/postgres/sync/wal-reader';
import { ChangeStream } from '../../activities/sync/change-stream';
import { syncRequestSchema, type SyncRequest } from '../../domain/sync-request';
import { stackInfo, testSluice, uniqueName, type TestSluice } from '../support/stack';
import { createSyncTables, dumpTable, sourceMarker, startWriter, SYNC_TABLES } from '../support/sync-writer';

const schema = uniqueName('sync');
let src: PgClient;
let dst: PgClient;
let pools: SourcePools;
let acts: SyncActivities;
let sluice: TestSluice;
const jobId = `sync_${schema.slice(5)}`;
const request: SyncRequest = (({ start: _start, ...r }) => r)(syncRequestSchema.parse({
  source: 'src', target: 'dst', schema, mode: 'full+incremental', options: { rowsPerRange: 1000, heartbeatIntervalSeconds: 1 },
}));
const inc = uniqueName('inc');
const incJob = `sync_${inc.slice(4)}`;
const slots: string[] = [];

beforeAll(async () => {
  src = new PgClient({ connectionString: stackInfo().sourceUrl });
  dst = new PgClient({ connectionString: stackInfo().targetUrl });
  await Promise.all([src.connect(), dst.connect()]);
  await createSyncTables(src, schema, 3000);
  // The metrics go to Sluice's own store, which keeps samples of syncs it knows.
  sluice = await testSluice();
  for (const id of [jobId, incJob]) await sluice.rt.syncs.create({ id, tenantId: sluice.tenantId, request, workflowId: `test/${id}` });
  pools = new SourcePools();
  const urls = { src: stackInfo().sourceUrl, dst: stackInfo().targetUrl };
  acts = createSyncActivities({
    pools,
    connectionUrl: async (_t, name) => urls[name as keyof typeof urls] ?? null,
    metrics: sluice.rt.syncMetrics,
    metricsIntervalMs: 500,
    log: { warn: () => undefined },
  });
});

afterAll(async () => {
  // The slots this file made; left behind they would hold WAL for the rest of the run.
  await src.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ANY($1) AND NOT active`, [slots]).catch(() => undefined);
  await Promise.all([src.end(), dst.end(), pools.end()]);
  await sluice?.close();
});

const dump = (url: string, table: string, key: string, inSchema = schema) => dumpTable(url, inSchema, table, key);

async function caughtUp(lsn: string): Promise<void> {
  for (;;) {
    const res = await dst.query(`SELECT lsn >= $2::pg_lsn AS ok FROM _sluice.sync_watermarks WHERE job_id = $1`, [jobId, lsn]);
    if (res.rows[0]?.ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ref = { jobId, tenantId: 't', run: 1 };

test('a snapshot under a concurrent writer, then the stream: the target equals the source', async () => {
  const init: Initialized = await new MockActivityEnvironment().run(acts.initializeSync, { ...ref, request });
  expect(init.slot?.name).toBe(`sluice_${jobId}`);
  slots.push(init.slot!.name);
  expect(init.tables.map((t) => t.table)).toEqual([`${schema}.coded`, `${schema}.main`, `${schema}.refill`]);
  expect(init.tables.find((t) => t.table.endsWith('main'))).toMatchObject({ strategy: 'key-range' });
  expect(init.tables.find((t) => t.table.endsWith('coded'))).toMatchObject({ strategy: 'block-range' });

  const writer = startWriter(src, schema, 3000);
  for (const t of init.tables) {
    for (const range of t.ranges) {
      await new MockActivityEnvironment().run(acts.copySyncRange, { ...ref, source: 'src', target: 'dst', table: t.table, strategy: t.strategy, range });
    }
  }
  const streamEnv = new MockActivityEnvironment();
  const streaming = streamEnv.run(acts.streamChanges, { ...ref, request, tables: init.tables.map((t) => t.table), copied: { rows: 0, bytes: 0 }, spellSeconds: 600 });
  await new Promise((r) => setTimeout(r, 3000));
  expect(await writer.stop()).toBeGreaterThan(50);
  await caughtUp(await sourceMarker(src));
  streamEnv.cancel();
  await expect(streaming).rejects.toThrow();

  for (const [table, key] of SYNC_TABLES) {
    expect(dump(stackInfo().targetUrl, table, key)).toEqual(dump(stackInfo().sourceUrl, table, key));
  }
  const sample = await sluice.rt.syncMetrics.latest(jobId);
  expect(sample).toMatchObject({ run: 1, appliedLsn: expect.any(String) });
  expect(sample!.records).toBeGreaterThan(0);
});

// A stream that applied and committed transactions but died before acknowledging them (the slot's confirmed
// position stays behind the target's watermark): the next stream starts from the watermark, so nothing is
// applied twice and each change counts once.
test('transactions committed on the target but never acknowledged are not applied again; WAL of tables not synced is not held back', async () => {
  await src.query(`CREATE SCHEMA ${inc}; CREATE TABLE ${inc}.events (id int PRIMARY KEY, v text)`);
  const incRequest: SyncRequest = (({ start: _s, ...r }) => r)(syncRequestSchema.parse({ source: 'src', target: 'dst', schema: inc, mode: 'incremental' }));
  const incRef = { jobId: incJob, tenantId: 't', run: 1 };
  const init: Initialized = await new MockActivityEnvironment().run(acts.initializeSync, { ...incRef, request: incRequest });
  slots.push(init.slot!.name);
  for (let i = 1; i <= 30; i++) await src.query(`INSERT INTO ${inc}.events VALUES (${i}, 'first')`);
  const marker = async () => (await src.query<{ lsn: string }>(`SELECT pg_logical_emit_message(true, 'test', 'end')::text AS lsn`)).rows[0].lsn;
  const watermark = async () => (await dst.query(`SELECT lsn::text, records FROM _sluice.sync_watermarks WHERE job_id = $1`, [incJob])).rows[0];

  // The first stream commits everything but never acknowledges.
  const first = await streamWithoutAcknowledging(init.slot!, incJob, `${inc}.events`, await marker());
  const applied = await watermark();
  expect(Number(applied.records)).toBe(30);
  const slotAfterFirst = await src.query(`SELECT confirmed_flush_lsn < $2::pg_lsn AS behind FROM pg_replication_slots WHERE slot_name = $1`, [init.slot!.name, applied.lsn]);
  expect(slotAfterFirst.rows[0].behind).toBe(true);
  expect(first).toBeGreaterThanOrEqual(30);

  // The next stream gets the same transactions again, skips them, and goes on with new ones.
  for (let i = 31; i <= 40; i++) await src.query(`INSERT INTO ${inc}.events VALUES (${i}, 'second')`);
  const env = new MockActivityEnvironment();
  const streaming = env.run(acts.streamChanges, { ...incRef, request: incRequest, tables: [`${inc}.events`], copied: { rows: 0, bytes: 0 }, spellSeconds: 600 });
  const end = await marker();
  for (;;) {
    const w = await dst.query(`SELECT lsn >= $2::pg_lsn AS ok FROM _sluice.sync_watermarks WHERE job_id = $1`, [incJob, end]);
    if (w.rows[0].ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  // Changes only to a table the sync does not copy: nothing for the stream to apply, yet the slot must not hold
  // their WAL back (keepalives and heartbeat messages acknowledge past them).
  await src.query(`CREATE TABLE ${inc}.noise (id int, v text)`);
  await src.query(`INSERT INTO ${inc}.noise SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g`);
  const after = (await src.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
  for (;;) {
    const slot = await src.query(`SELECT confirmed_flush_lsn >= $2::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $1`, [init.slot!.name, after]);
    if (slot.rows[0].ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  env.cancel();
  await expect(streaming).rejects.toThrow();
  expect(Number((await watermark()).records)).toBe(40);
  expect(dump(stackInfo().targetUrl, 'events', 'id', inc)).toEqual(dump(stackInfo().sourceUrl, 'events', 'id', inc));
});

// A restart gives the target's watermark to the new instance. A stream of the old one still running (a worker
// that has not heard of the restart yet) waits on the watermark's lock while it applies a batch, and once the
// new instance owns the row it may write nothing more: its next batch is refused before any change lands.
test('a stream of an earlier instance writes nothing once a newer instance owns the target', async () => {
  const target = pools.get(stackInfo().targetUrl);
  const table = `${inc}.events`;
  const setup = await target.connect();
  const shapes = (await readShapes(setup, [table])) as Map<string, TableShape>;
  const old = new Applier(target, pools.get(stackInfo().sourceUrl), { jobId: incJob, run: 1 }, shapes);
  const at = await old.begin();
  await old.apply([{ kind: 'insert', table, row: { id: '1001', v: 'old instance, committed' } }]);
  // The restart's reset waits for the batch that holds the watermark, then takes it over.
  const reset = resetWatermark(setup, incJob, 2, at.lsn);
  await old.commit({ lsn: at.lsn, commitTime: new Date(), records: at.records + 1, bytes: at.bytes });
  await reset;
  expect((await readWatermark(setup, incJob))?.run).toBe(2);

  await expect(old.begin()).rejects.toBeInstanceOf(StaleStreamError);
  old.release();
  setup.release();
  const rows = await dst.query(`SELECT id, v FROM ${inc}.events WHERE id >= 1001 ORDER BY id`);
  expect(rows.rows).toEqual([{ id: 1001, v: 'old instance, committed' }]);
});

// Streams until the watermark passes `until`, applying and committing as the activity does, but drops every
// acknowledgement; returns the messages seen.
async function streamWithoutAcknowledging(slot: { name: string; publication: string }, job: string, table: string, until: string): Promise<number> {
  const target = pools.get(stackInfo().targetUrl);
  const source = pools.get(stackInfo().sourceUrl);
  const shapes = await (async () => {
    const c = await target.connect();
    try {
      return { shapes: await readShapes(c, [table]), watermark: (await readWatermark(c, job))! };
    } finally {
      c.release();
    }
  })();
  const stream = new ChangeStream(target, source, { jobId: job, run: 1 }, shapes.shapes as Map<string, TableShape>, shapes.watermark, 10_000);
  let seen = 0;
  const reader = new WalReader({
    url: stackInfo().sourceUrl, slot: slot.name, publication: slot.publication, startLsn: shapes.watermark.lsn,
    onMessage: (m) => {
      seen++;
      return stream.onMessage(m);
    },
    onKeepalive: () => undefined,
  });
  reader.acknowledge = async () => undefined;
  stream.attach(reader);
  const running = reader.run();
  while (compareLsn(stream.position.lsn, until) < 0) await new Promise((r) => setTimeout(r, 50));
  await reader.stop();
  await running;
  await stream.close();
  return seen;
}
