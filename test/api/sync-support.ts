// Helpers for the sync tests over HTTP: a Sluice with a target connection, polling a sync, a steady writer on
// the source, waiting for the target to catch up, and comparing tables row by row.
import { Client as PgClient } from 'pg';
import { stackInfo, startApi, testSluice, type TestApi, type TestSluice } from '../support/stack';

export interface SyncStack {
  s: TestSluice;
  api: TestApi;
  src: PgClient;
  dst: PgClient;
  close(): Promise<void>;
}

/** A Sluice with its worker and API (settings in `env`), the connection `dst` (role target) and clients for both databases. */
export async function syncStack(env: Record<string, string>): Promise<SyncStack> {
  const s = await testSluice(env);
  await s.startWorker();
  const api = await startApi(s);
  const src = new PgClient({ connectionString: stackInfo().sourceUrl });
  const dst = new PgClient({ connectionString: stackInfo().targetUrl });
  await Promise.all([src.connect(), dst.connect()]);
  const put = await api.call('PUT', '/v1/connections/dst', { url: stackInfo().targetUrl, roles: ['target'] });
  if (![200, 201].includes(put.status)) throw new Error(`PUT /v1/connections/dst answered ${put.status}: ${await put.text()}`);
  return {
    s, api, src, dst,
    async close() {
      await api.close();
      await Promise.all([src.end(), dst.end()]);
      await s.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SyncBody = any;

export async function getSync(api: TestApi, id: string): Promise<SyncBody> {
  const res = await api.call('GET', `/v1/syncs/${id}`);
  if (res.status !== 200) throw new Error(`GET /v1/syncs/${id} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Polls GET /v1/syncs/:id until `ok`; a sync that fails meanwhile fails the test with its body. */
export async function waitForSync(api: TestApi, id: string, ok: (sync: SyncBody) => boolean, timeoutMs = 60_000): Promise<SyncBody> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const sync = await getSync(api, id);
    if (ok(sync)) return sync;
    if (sync.state === 'Failed') throw new Error(`sync ${id} failed: ${JSON.stringify(sync.error)}`);
    if (Date.now() > end) throw new Error(`sync ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(sync)}`);
    await sleep(200);
  }
}

/** Defines and starts a full+incremental sync of `table` into `dst` and waits until it streams. */
export async function streamingSync(api: TestApi, table: string, options: Record<string, unknown>): Promise<string> {
  const res = await api.call('POST', '/v1/syncs', { source: 'src', target: 'dst', tables: [table], mode: 'full+incremental', options, start: true });
  if (res.status !== 201) throw new Error(`POST /v1/syncs answered ${res.status}: ${await res.text()}`);
  const { id } = await res.json();
  await waitForSync(api, id, (x) => x.state === 'Running' && x.phase === 'streaming');
  return id;
}

/**
 * Writes to `table` (id bigint key, n int, payload text) until stopped: inserts of `rowsPerTxn` rows of about
 * 1 kB each (hex of random bytes, which TOAST barely compresses, so the WAL grows by what is written), updates
 * and deletes, one transaction every `everyMs`.
 */
export function steadyWriter(src: PgClient, table: string, { rowsPerTxn = 5, everyMs = 50, firstId = 1_000_000 } = {}) {
  let running = true;
  let txns = 0;
  let next = firstId;
  const done = (async () => {
    while (running) {
      const from = next;
      next += rowsPerTxn;
      await src.query(
        `WITH ins AS (INSERT INTO ${table} SELECT g, 0, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 32 + 0 * g))
                        FROM generate_series($1::bigint, $2::bigint) g)
         UPDATE ${table} SET n = n + 1 WHERE id = $3`,
        [from, next - 1, 1 + (txns % 500)],
      );
      if (txns % 10 === 9) await src.query(`DELETE FROM ${table} WHERE id = $1`, [from]);
      txns++;
      await sleep(everyMs);
    }
  })();
  return {
    get txns() {
      return txns;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Waits until the sync's watermark on the target passes everything written to the source so far. */
export async function caughtUp(src: PgClient, dst: PgClient, syncId: string, timeoutMs = 60_000): Promise<void> {
  const marker = (await src.query<{ lsn: string }>(`SELECT pg_logical_emit_message(true, 'test', 'marker')::text AS lsn`)).rows[0].lsn;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await dst.query(`SELECT lsn >= $2::pg_lsn AS ok FROM _sluice.sync_watermarks WHERE job_id = $1`, [syncId, marker]);
    if (res.rows[0]?.ok) return;
    if (Date.now() > end) throw new Error(`sync ${syncId} did not catch up with ${marker}`);
    await sleep(200);
  }
}

/** Every row of `table`, in key order, as text: what the source and the target must agree on. */
export async function rows(db: PgClient, table: string): Promise<string[]> {
  const res = await db.query<{ r: string }>(`SELECT t::text AS r FROM ${table} t ORDER BY id`);
  return res.rows.map((x) => x.r);
}

/** A table of `count` rows in the writer's shape. */
export async function writerTable(src: PgClient, table: string, count: number): Promise<void> {
  await src.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, n int NOT NULL, payload text)`);
  await src.query(`INSERT INTO ${table} SELECT g, 0, md5(g::text) FROM generate_series(1, $1::int) g`, [count]);
}
