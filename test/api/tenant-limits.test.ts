// A tenant's limits on the API: GET /v1/limits shows them with what is left; a spent daily quota refuses new
// extractions with 429 and Retry-After until midnight UTC; a tenant's inline limit turns inline answers into
// jobs (auto) or a 429 (inline); a key over its requests per minute gets 429; the queue admits by the tenant's
// own limit of running jobs. Limits set through the admin API.
import { ownSluiceDatabase, sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { extractionRequestSchema } from '../../domain/extraction-request';
import { TenantLimitStore } from '../../store/tenant-limits';
import { expectProblem, waitForState } from './support';

let s: TestSluice;
let api: TestApi;
let limits: TenantLimitStore;
let table: string;

beforeAll(async () => {
  s = await testSluice({ SLUICE_DATABASE_URL: await ownSluiceDatabase() });
  await s.startWorker();
  api = await startApi(s);
  limits = new TenantLimitStore(s.rt.db);
  const src = await sourceClient();
  table = uniqueName('quota');
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id, 'row ' || g AS label FROM generate_series(1, 150) g`);
  await src.end();
});

afterAll(async () => {
  await api?.close();
  await s?.close();
});

const ADMIN_TOKEN = 'admin-token-of-the-tenant-limits-test';

// Set as an operator does, through the admin API. Limits are read again after a few seconds: a fresh API process
// reads them at once.
async function withLimits<T>(patch: Record<string, number | null>, fn: (api: TestApi) => Promise<T>): Promise<T> {
  const admin = await startApi(s, { SLUICE_ADMIN_TOKEN: ADMIN_TOKEN });
  try {
    const res = await admin.call('PUT', `/admin/v1/tenants/${s.tenantId}/limits`, patch, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject(patch);
  } finally {
    await admin.close();
  }
  const fresh = await startApi(s);
  try {
    return await fn(fresh);
  } finally {
    await fresh.close();
  }
}

test('a spent daily quota: 429 with Retry-After until midnight UTC, and GET /v1/limits says so', async () => {
  await withLimits({ dailyRows: 100 }, async (on) => {
    const before = await (await on.call('GET', '/v1/limits')).json();
    expect(before).toMatchObject({ dailyRows: { limit: 100, used: 0, left: 100 }, dailyBytes: { limit: null, left: null }, runningJobs: { limit: 4 } });
    const job = await (await on.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job' })).json();
    await waitForState(on, job.id, ['Completed']); // the quota is checked before a job starts, not during it
    const res = await on.call('POST', '/v1/extractions', { source: 'src', table, mode: 'job' });
    const body = await expectProblem(res, 429);
    expect(body).toMatchObject({ limit: 'dailyRows' });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(Date.parse(body.resetsAt as string) % 86_400_000).toBe(0); // midnight UTC
    expect((await (await on.call('GET', '/v1/limits')).json()).dailyRows).toMatchObject({ limit: 100, used: 150, left: 0 });
  });
  await limits.set(s.tenantId, { dailyRows: null });
});

test("the tenant's inline limit: auto becomes a job, inline is a 429", async () => {
  await withLimits({ inlineConcurrent: 0 }, async (on) => {
    const auto = await on.call('POST', '/v1/extractions', { source: 'src', table, mode: 'auto' });
    expect(auto.status).toBe(202);
    expect(auto.headers.get('sluice-rule')).toBe('tenant_inline_limit');
    await waitForState(on, (await auto.json()).id, ['Completed']);
    const inline = await on.call('POST', '/v1/extractions', { source: 'src', table, mode: 'inline' });
    await expectProblem(inline, 429, 'mode');
    expect(inline.headers.get('retry-after')).toBe('1');
  });
  await limits.set(s.tenantId, { inlineConcurrent: null });
  const answered = await api.call('POST', '/v1/extractions', { source: 'src', table, mode: 'inline', compression: 'none' });
  expect(answered.status).toBe(200);
  await answered.text();
});

test('a key over its requests per minute gets 429 with Retry-After; the RateLimit headers say what is left', async () => {
  await withLimits({ requestsPerMinute: 3 }, async (on) => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await on.call('GET', '/v1/jobs'));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(answers[0].headers.get('ratelimit')).toMatch(/r=2/);
    await expectProblem(answers[3], 429);
    expect(Number(answers[3].headers.get('retry-after'))).toBeGreaterThan(0);
  });
  await limits.set(s.tenantId, { requestsPerMinute: null });
});

test("the queue admits by the tenant's own limit of running jobs", async () => {
  await limits.set(s.tenantId, { runningJobs: 1 });
  const request = extractionRequestSchema.parse({ source: 'src', table, mode: 'job' });
  const jobs = [1, 2].map((n) => ({ id: `job_${'0'.repeat(19)}${n}`, tenantId: s.tenantId, request, workflowId: `wf-limits-${n}` }));
  try {
    for (const job of jobs) await s.rt.jobs.create(job); // queued, as POST /v1/extractions leaves them
    expect((await s.rt.slots.claim({ jobId: jobs[0].id, workflowId: jobs[0].workflowId, tenantId: s.tenantId })).granted).toBe(true);
    expect((await s.rt.slots.claim({ jobId: jobs[1].id, workflowId: jobs[1].workflowId, tenantId: s.tenantId })).granted).toBe(false);
    expect(await s.rt.slots.position(jobs[1].id)).toEqual({ position: 1, waitingFor: 'tenant_limit' });
  } finally {
    for (const job of jobs) await s.rt.jobs.delete(s.tenantId, job.id);
    await limits.set(s.tenantId, { runningJobs: null });
  }
});
