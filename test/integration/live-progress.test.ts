// What parts record while they run (store/part-progress.ts), and reads that wait on a lock: a job says it waits,
// and past SLUICE_LOCK_TIMEOUT_MS fails at once with lock_timeout, naming the table and who holds it.
import type { Client as PgClient } from 'pg';
import { finished, startExtraction } from '../support/jobs';
import { sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';

const LOCK_TIMEOUT_MS = 6000;
let s: TestSluice;
let src: PgClient;
const table = uniqueName('locked');
const reader = uniqueName('read_locked');

beforeAll(async () => {
  s = await testSluice({ SLUICE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS), SLUICE_PART_ROWS: '400' });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id int PRIMARY KEY, label text)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'row ' || g FROM generate_series(1, 2000) g`);
  await src.query(`ANALYZE ${table}`);
  // Reads the table only when it runs: planning a query over it (catalog, EXPLAIN) takes no lock on the table
  // (RETURNS TABLE, not SETOF the table, whose row type would be looked up under a lock), so the job gets as far
  // as its COPY, which then waits.
  await src.query(`CREATE FUNCTION ${reader}() RETURNS TABLE (id int, label text) LANGUAGE plpgsql STABLE
                   AS $$ BEGIN RETURN QUERY SELECT t.id, t.label FROM ${table} t ORDER BY t.id; END $$`);
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

/** Holds ACCESS EXCLUSIVE on the table from a connection of its own until `release`. */
async function lockTable(): Promise<{ pid: number; release: () => Promise<void> }> {
  const holder = await sourceClient();
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  return { pid, release: async () => { await holder.query('ROLLBACK'); await holder.end(); } };
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a key-range job records every part as done, with the rows and bytes of its file', async () => {
  const { jobId, handle } = await startExtraction(s, { table, compression: 'none' });
  const result = await finished(handle);
  expect(result.state).toBe('Completed');
  const totals = await s.rt.partProgress.totals(jobId, 1);
  expect(totals).toMatchObject({
    rows: 2000, bytes: result.manifest!.bytes, parts: result.manifest!.parts.length, partsDone: result.manifest!.parts.length,
    waiting: null, retry: null,
  });
  expect(result.manifest!.parts.length).toBeGreaterThan(2);
  // The batch read (for lists) answers the same, and leaves out jobs with nothing recorded.
  const many = await s.rt.partProgress.totalsOf([{ jobId, run: 1 }, { jobId: 'job_none', run: 1 }]);
  expect([...many.keys()]).toEqual([jobId]);
  expect(many.get(jobId)).toEqual(totals);
});

test('a stream waiting on a lock shows waiting: lock, and completes once the lock is released', async () => {
  const lock = await lockTable();
  try {
    const { jobId, handle } = await startExtraction(s, { query: `SELECT * FROM ${reader}()`, compression: 'none' });
    const waiting = await until(() => s.rt.partProgress.totals(jobId, 1), (t) => t.waiting === 'lock', LOCK_TIMEOUT_MS - 1000);
    expect(waiting).toMatchObject({ parts: 1, partsDone: 0, rows: 0 });
    await lock.release();
    const result = await finished(handle);
    expect(result.state).toBe('Completed');
    expect(result.manifest!.rows).toBe(2000);
    expect(await s.rt.partProgress.totals(jobId, 1)).toMatchObject({ waiting: null, partsDone: 1, rows: 2000, retry: null });
  } finally {
    await lock.release().catch(() => undefined);
  }
});

test('past the lock timeout the job fails at once with lock_timeout, naming the table and the backend holding it', async () => {
  const lock = await lockTable();
  try {
    const started = Date.now();
    const { jobId, handle } = await startExtraction(s, { query: `SELECT * FROM ${reader}()` });
    await until(() => s.rt.partProgress.totals(jobId, 1), (t) => t.waiting === 'lock', LOCK_TIMEOUT_MS - 1000);
    const result = await finished(handle);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LOCK_TIMEOUT_MS);
    expect(result.state).toBe('Failed');
    expect(result.error).toMatchObject({ code: 'lock_timeout', sqlstate: '55P03', retryable: false });
    expect(result.error!.message).toContain(`for a lock on public.${table}, held by source backend ${lock.pid}`);
    expect(result.error!.suggestion).toMatch(/SLUICE_LOCK_TIMEOUT_MS/);
    expect(result.error!.suggestion).toContain(`relation = 'public.${table}'::regclass`);
    expect(result.attempts).toBe(1); // not retried
    expect((await s.rt.partProgress.totals(jobId, 1)).waiting).toBeNull();
  } finally {
    await lock.release();
  }
});

test('a table locked while the job plans: lock_timeout, naming the table', async () => {
  const lock = await lockTable();
  try {
    const { handle } = await startExtraction(s, { table });
    const result = await finished(handle);
    expect(result.state).toBe('Failed');
    expect(result.error).toMatchObject({ code: 'lock_timeout', retryable: false });
    expect(result.error!.message).toContain(`public.${table}`);
  } finally {
    await lock.release();
  }
});
