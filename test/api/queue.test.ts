// The queue for running slots, end to end: 200 jobs of two tenants submitted at once against a global limit of
// 4 running jobs and 3 per tenant. A Sluice database of its own, so that the limits count only these jobs.
import type { Client as PgClient } from 'pg';
import { seedTenant } from '../../dev/seed';
import { ownSluiceDatabase, sourceClient, stackInfo, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';

const GLOBAL_LIMIT = 4;
const TENANT_LIMIT = 3;

let s: TestSluice;
let api: TestApi;
let src: PgClient;
let otherTenant: { id: string; key: string };
const table = uniqueName('queued');

beforeAll(async () => {
  s = await testSluice({
    SLUICE_DATABASE_URL: await ownSluiceDatabase(),
    SLUICE_MAX_RUNNING_JOBS: String(GLOBAL_LIMIT),
    SLUICE_TENANT_MAX_RUNNING_JOBS: String(TENANT_LIMIT),
  });
  await s.startWorker();
  api = await startApi(s);
  const id = uniqueName('tenant');
  otherTenant = { id, key: await seedTenant(s.rt, { tenantId: id, sourceName: 'src', sourceUrl: stackInfo().sourceUrl }) };
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id, 'row ' || g AS label FROM generate_series(1, 20) g`);
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

interface Observed {
  tenant: string;
  positions: number[];
  state: string;
}

test('200 jobs at once: all complete, none twice, never over the limits, queue positions shown and monotonic', async () => {
  const asOther = { authorization: `Bearer ${otherTenant.key}` };
  // Three of every four jobs are the test tenant's, the fourth the other tenant's, all sent at once.
  const submissions = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    const other = i % 4 === 3;
    const res = await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job', compression: 'none' }, other ? asOther : {});
    expect(res.status).toBe(202);
    const body = await res.json();
    return { id: body.id as string, tenant: other ? otherTenant.id : s.tenantId, queue: body.queue, headers: other ? asOther : {} };
  }));
  const jobs = new Map<string, Observed>(submissions.map((j) => [j.id, { tenant: j.tenant, positions: [], state: 'Queued' }]));
  // Jobs enter the queue as they are made: the answer to the submission already says where.
  expect(submissions.filter((j) => j.queue?.position >= 1).length).toBeGreaterThan(150);
  for (const j of submissions) if (j.queue?.position >= 1) jobs.get(j.id)!.positions.push(j.queue.position);

  let maxRunning = 0;
  const maxRunningByTenant: Record<string, number> = {};
  const headers = new Map(submissions.map((j) => [j.id, j.headers]));
  for (;;) {
    // The mirrored states, read in one statement: a consistent picture of what runs.
    const running = await s.rt.db.query<{ tenant: string; n: number }>(
      "SELECT tenant_id AS tenant, count(*)::int AS n FROM jobs WHERE state = 'Running' GROUP BY tenant_id",
    );
    maxRunning = Math.max(maxRunning, running.rows.reduce((sum, r) => sum + r.n, 0));
    for (const r of running.rows) maxRunningByTenant[r.tenant] = Math.max(maxRunningByTenant[r.tenant] ?? 0, r.n);

    const open = [...jobs].filter(([, j]) => j.state !== 'Completed');
    if (!open.length) break;
    for (let i = 0; i < open.length; i += 10) {
      await Promise.all(open.slice(i, i + 10).map(async ([id, j]) => {
        const body = await (await api.call('GET', `/v1/jobs/${id}`, undefined, headers.get(id))).json();
        expect(['Queued', 'Running', 'Completed']).toContain(body.state);
        j.state = body.state;
        if (body.state === 'Queued' && body.queue) j.positions.push(body.queue.position);
      }));
    }
  }

  expect(maxRunning).toBeGreaterThan(0);
  expect(maxRunning).toBeLessThanOrEqual(GLOBAL_LIMIT);
  for (const n of Object.values(maxRunningByTenant)) expect(n).toBeLessThanOrEqual(TENANT_LIMIT);
  for (const [id, j] of jobs) {
    const isNonIncreasing = j.positions.every((p, i) => i === 0 || p <= j.positions[i - 1]);
    if (!isNonIncreasing) throw new Error(`job ${id} saw its queue position go up: ${j.positions.join(' → ')}`);
  }
  // Jobs far back in the queue were seen waiting with a position, and that position came down.
  const waitedLong = [...jobs.values()].filter((j) => j.positions.length >= 2 && j.positions[0] > j.positions[j.positions.length - 1]);
  expect(waitedLong.length).toBeGreaterThan(50);

  // Each job ran once: one plan, one part, the 20 rows once; the queue is empty afterwards.
  for (const id of jobs.keys()) {
    const job = await s.rt.jobs.get(jobs.get(id)!.tenant, id);
    expect(job!.snapshot).toMatchObject({ state: 'Completed', attempts: 1, manifest: { rows: 20, complete: true } });
    const history = await s.temporal.workflow.getHandle(job!.workflowId).fetchHistory();
    const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled.sort()).toEqual(['extractRun', 'planExtraction', 'writeManifest']);
  }
  const left = await s.rt.db.query('SELECT count(*)::int AS n FROM job_slots');
  expect(left.rows[0].n).toBe(0);
}, 300_000); // 200 jobs through 4 slots: minutes on a loaded 2-core machine
