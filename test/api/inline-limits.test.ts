// The inline/job switch on a real API: each limit on both sides of the estimate, an estimate that is wrong
// (the answer becomes a job before any byte is sent, and the job has every row), a source too slow for the
// inline deadline, and inline capacity in use. Each case runs an API of its own with the limits it needs.
import type { Client as PgClient } from 'pg';
import type { Config } from '../../workers/config';
import { psqlCsv } from '../integration/oracle';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, jobOutput, postRaw, waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const narrow = uniqueName('inline_narrow');
const skewed = uniqueName('inline_skewed');
const PAID_ROWS = 100_000;
const narrowRequest = { source: 'src', table: narrow, orderBy: [{ column: 'id' }], compression: 'none' };
const paidRequest = { source: 'src', table: skewed, filter: [{ column: 'status', op: 'eq', value: 'paid' }], orderBy: [{ column: 'id' }], compression: 'none' };
let estimate: { rows: number; bytes: number; cost: number };

beforeAll(async () => {
  s = await testSluice();
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${narrow} AS SELECT g AS id FROM generate_series(1, 100) g`);
  await src.query(`ANALYZE ${narrow}`);
  // The statistics say no row is "paid"; then many are. Autovacuum must not analyze it again meanwhile.
  await src.query(`CREATE TABLE ${skewed} (id int, status text) WITH (autovacuum_enabled = false)`);
  await src.query(`INSERT INTO ${skewed} SELECT g, 'open' FROM generate_series(1, 1000) g`);
  await src.query(`ANALYZE ${skewed}`);
  await src.query(`INSERT INTO ${skewed} SELECT g, 'paid' FROM generate_series(1001, ${1000 + PAID_ROWS}) g`);

  const res = await api.call('POST', '/v1/extractions', { ...narrowRequest, mode: 'inline' });
  expect(res.status).toBe(200);
  const header = (name: string) => Number(res.headers.get(`sluice-estimated-${name}`));
  estimate = { rows: header('rows'), bytes: header('bytes'), cost: header('cost') };
  expect(estimate.rows).toBe(100);
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

async function withApi(config: Partial<Config>, use: (limited: TestApi) => Promise<void>) {
  const limited = await startApi(s, config);
  try {
    await use(limited);
  } finally {
    await limited.close();
  }
}

const post = (to: TestApi, body: Record<string, unknown>) => to.call('POST', '/v1/extractions', body);

describe.each([
  ['rows', 'SLUICE_INLINE_MAX_ROWS', 'maxRows', 1],
  ['bytes', 'SLUICE_INLINE_MAX_BYTES', 'maxBytes', 1],
  ['cost', 'SLUICE_INLINE_MAX_COST', 'maxCost', 0.01],
] as const)('the %s limit', (what, setting, limit, step) => {
  const at = () => estimate[what];

  test('at the estimate: answered inline', async () => {
    await withApi({ [setting]: at() }, async (limited) => {
      const res = await post(limited, { ...narrowRequest, mode: 'auto' });
      expect(res.status).toBe(200);
      expect(res.headers.get('sluice-rule')).toBe('within_limits');
      expect(await res.text()).toBe(psqlCsv(`SELECT id FROM ${narrow} ORDER BY id`));
    });
  });

  test('just under the estimate: auto makes a job, inline is a 413 with the estimate', async () => {
    await withApi({ [setting]: at() - step }, async (limited) => {
      const rule = `${what}_over_limit`;
      const res = await post(limited, { ...narrowRequest, mode: 'auto' });
      expect(res.status).toBe(202);
      expect(res.headers.get('sluice-mode')).toBe('job');
      const job = await res.json();
      expect(job.decision).toEqual({ mode: 'job', rule, estimate, limits: expect.objectContaining({ [limit]: at() - step }) });
      await waitForState(limited, job.id, ['Completed']);

      const refused = await expectProblem(await post(limited, { ...narrowRequest, mode: 'inline' }), 413, 'mode');
      expect(refused).toMatchObject({ rule, estimate });
    });
  });
});

describe('an estimate that is wrong', () => {
  const paidCsv = () => psqlCsv(`SELECT id, status FROM ${skewed} WHERE status = 'paid' ORDER BY id`);

  test('too few rows: the answer stops at the limit and becomes a job (202, no partial 200) that has every row', async () => {
    await withApi({ SLUICE_INLINE_MAX_ROWS: 1000 }, async (limited) => {
      const res = await postRaw(limited, s.apiKey, { ...paidRequest, mode: 'auto' });
      expect(res.status).toBe(202);
      expect(res.headers['content-type']).toContain('application/json');
      const job = JSON.parse(res.body.toString());
      expect(job.decision).toMatchObject({ mode: 'job', rule: 'actual_rows_over_limit' });
      expect(job.decision.estimate.rows).toBeLessThanOrEqual(1000);
      expect(job.decision.seen.rows).toBeGreaterThan(1000);
      expect(job.decision.seen.rows).toBeLessThan(PAID_ROWS); // stopped, not read to the end
      await waitForState(limited, job.id, ['Completed']);
      expect(await jobOutput(limited, job.id)).toBe(paidCsv());

      const refused = await expectProblem(await post(limited, { ...paidRequest, mode: 'inline' }), 413, 'mode');
      expect(refused).toMatchObject({ rule: 'actual_rows_over_limit', estimate: job.decision.estimate, seen: { rows: expect.any(Number), bytes: expect.any(Number) } });
    });
  });

  test('too few bytes: the answer stops at the byte limit and becomes a job; gzip stops too', async () => {
    await withApi({ SLUICE_INLINE_MAX_BYTES: 5000 }, async (limited) => {
      const res = await post(limited, { ...paidRequest, mode: 'auto' });
      expect(res.status).toBe(202);
      const job = await res.json();
      expect(job.decision).toMatchObject({ mode: 'job', rule: 'actual_bytes_over_limit' });
      expect(job.decision.estimate.bytes).toBeLessThanOrEqual(5000);
      expect(job.decision.seen.bytes).toBeGreaterThan(5000);
      await waitForState(limited, job.id, ['Completed']);
      expect(await jobOutput(limited, job.id)).toBe(paidCsv());

      const gzipped = await expectProblem(await post(limited, { ...paidRequest, compression: 'gzip', mode: 'inline' }), 413, 'mode');
      expect(gzipped).toMatchObject({ rule: 'actual_bytes_over_limit', seen: { bytes: expect.any(Number) } });
    });
  });
});

// A query that waits for an advisory lock the test holds: it runs exactly as long as the test wants.
const waitingQuery = (key: number) => `SELECT pg_advisory_xact_lock_shared(${key})::text AS waited`;

async function holdingLock(key: number, use: (release: () => Promise<void>) => Promise<void>) {
  const holder = await sourceClient();
  await holder.query('SELECT pg_advisory_lock($1)', [key]);
  try {
    await use(async () => void (await holder.query('SELECT pg_advisory_unlock($1)', [key])));
  } finally {
    await holder.end();
  }
}

test('an answer not complete by the deadline: auto makes a job (inline_timeout), inline is a 504', async () => {
  await holdingLock(4201, async (release) => {
    await withApi({ SLUICE_INLINE_TIMEOUT_MS: 300 }, async (limited) => {
      const res = await post(limited, { source: 'src', query: waitingQuery(4201), mode: 'auto' });
      expect(res.status).toBe(202);
      const job = await res.json();
      expect(job.decision).toMatchObject({ rule: 'inline_timeout', seen: { rows: 0 } });
      await expectProblem(await post(limited, { source: 'src', query: waitingQuery(4201), mode: 'inline' }), 504, 'mode');
      await release(); // the job waited for the lock too
      await waitForState(limited, job.id, ['Completed']);
    });
  });
});

test('inline capacity in use: auto makes a job (inline_capacity_saturated), inline is a 503 with Retry-After', async () => {
  await holdingLock(4202, async (release) => {
    await withApi({ SLUICE_INLINE_MAX_CONCURRENT: 1 }, async (limited) => {
      const first = post(limited, { source: 'src', query: waitingQuery(4202), mode: 'inline', compression: 'none' });
      // The first answer holds the only slot once its COPY waits for the lock.
      while ((await src.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4202 AND NOT granted`)).rowCount === 0) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const auto = await post(limited, { ...narrowRequest, mode: 'auto' });
      expect(auto.status).toBe(202);
      expect((await auto.json()).decision).toMatchObject({ rule: 'inline_capacity_saturated', estimate });
      const busy = await post(limited, { ...narrowRequest, mode: 'inline' });
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(await expectProblem(busy, 503, 'mode')).toMatchObject({ rule: 'inline_capacity_saturated' });

      await release();
      const answered = await first;
      expect(answered.status).toBe(200);
      expect(await answered.text()).toBe('waited\n""\n');
      expect((await post(limited, { ...narrowRequest, mode: 'inline' })).status).toBe(200); // the slot is free again
    });
  });
});
