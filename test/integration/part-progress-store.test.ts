// The part progress store on its own: what each write of an attempt leaves, that a late write of an older attempt
// or activity never overwrites a newer one, and what totals() makes of the rows.
import { randomBytes } from 'node:crypto';
import { workflowIdFor } from '../../api/job-control';
import { extractionRequestSchema } from '../../domain/extraction-request';
import { silentFailure, type PartAttempt } from '../../store/part-progress';
import { testSluice, type TestSluice } from '../support/stack';

let s: TestSluice;

beforeAll(async () => {
  s = await testSluice();
});

afterAll(async () => {
  await s?.close();
});

async function newJob(): Promise<string> {
  const jobId = `job_${randomBytes(8).toString('hex')}`;
  const request = extractionRequestSchema.parse({ source: 'src', query: 'SELECT 1', mode: 'job' });
  await s.rt.jobs.create({ id: jobId, tenantId: s.tenantId, request, workflowId: workflowIdFor(s.tenantId, jobId) });
  return jobId;
}

const row = async (jobId: string, part = 0) =>
  (await s.rt.db.query('SELECT rows::int, bytes::int, attempt, waiting, last_failure, done FROM job_part_progress WHERE job_id = $1 AND part = $2', [jobId, part])).rows[0];

test('an attempt that fails and is retried: the next attempt and why, then the final counts', async () => {
  const jobId = await newJob();
  const store = s.rt.partProgress;
  const a1: PartAttempt = { jobId, run: 1, part: 0, attempt: 1, scheduledAt: new Date('2026-01-01T00:00:00Z') };
  await store.start(a1);
  await store.report(a1, { rows: 10, bytes: 100, waiting: 'lock' });
  expect(await store.totals(jobId, 1)).toMatchObject({ rows: 10, bytes: 100, parts: 1, partsDone: 0, waiting: 'lock', retry: null });

  await store.failed(a1, 'connection terminated');
  expect(await row(jobId)).toMatchObject({ attempt: 2, last_failure: 'connection terminated', waiting: null, done: false });
  await store.report(a1, { rows: 11, bytes: 110, waiting: null }); // a straggler of attempt 1: ignored
  expect(await row(jobId)).toMatchObject({ rows: 10, attempt: 2 });
  expect((await store.totals(jobId, 1)).retry).toEqual({ attempt: 2, reason: 'connection terminated' });

  const a2 = { ...a1, attempt: 2 };
  await store.start(a2, { rows: 5, bytes: 50 }); // a resumed stream starts from what it kept
  expect(await row(jobId)).toMatchObject({ rows: 5, attempt: 2, last_failure: 'connection terminated' });
  await store.finish(a2, { rows: 20, bytes: 200 });
  expect(await store.totals(jobId, 1)).toMatchObject({ rows: 20, bytes: 200, parts: 1, partsDone: 1, waiting: null, retry: null });
});

test('an attempt whose predecessor went silent (its worker died) says so', async () => {
  const jobId = await newJob();
  const a1: PartAttempt = { jobId, run: 1, part: 3, attempt: 1, scheduledAt: new Date('2026-01-01T00:00:00Z') };
  await s.rt.partProgress.start(a1);
  await s.rt.partProgress.start({ ...a1, attempt: 2 });
  expect(await row(jobId, 3)).toMatchObject({ attempt: 2, last_failure: silentFailure(2) });
  expect((await s.rt.partProgress.totals(jobId, 1)).retry).toEqual({ attempt: 2, reason: 'attempt 1 stopped reporting (its worker stopped or lost contact) and was retried' });
});

test('a part run again by a newer activity (after a pause) wins over the cancelled one, whatever their attempts', async () => {
  const jobId = await newJob();
  const store = s.rt.partProgress;
  const old: PartAttempt = { jobId, run: 1, part: 1, attempt: 3, scheduledAt: new Date('2026-01-01T00:00:00Z') };
  const fresh: PartAttempt = { ...old, attempt: 1, scheduledAt: new Date('2026-01-01T00:05:00Z') };
  await store.start(old);
  await store.start(fresh);
  await store.report(old, { rows: 99, bytes: 990, waiting: null }); // late: ignored
  await store.remove(old); // the cancelled activity cleans up late: leaves the newer row alone
  expect(await row(jobId, 1)).toMatchObject({ attempt: 1, rows: 0, last_failure: null });
  await store.remove(fresh); // cancelled in its turn: nothing left
  expect(await row(jobId, 1)).toBeUndefined();
  expect(await store.totals(jobId, 1)).toMatchObject({ parts: 0, updatedAt: null });
});

test('totals add up the parts of one run only; the batch read gives each job its run', async () => {
  const [j1, j2] = [await newJob(), await newJob()];
  const store = s.rt.partProgress;
  const at = new Date('2026-01-01T00:00:00Z');
  for (const part of [0, 1, 2]) await store.finish({ jobId: j1, run: 1, part, attempt: 1, scheduledAt: at }, { rows: 10, bytes: 100 });
  await store.report({ jobId: j1, run: 1, part: 3, attempt: 1, scheduledAt: at }, { rows: 4, bytes: 40, waiting: null });
  await store.finish({ jobId: j1, run: 2, part: 0, attempt: 1, scheduledAt: at }, { rows: 1000, bytes: 1 });
  await store.report({ jobId: j2, run: 2, part: 0, attempt: 1, scheduledAt: at }, { rows: 7, bytes: 70, waiting: 'lock' });
  expect(await store.totals(j1, 1)).toMatchObject({ rows: 34, bytes: 340, parts: 4, partsDone: 3, waiting: null });
  const both = await store.totalsOf([{ jobId: j1, run: 2 }, { jobId: j2, run: 2 }]);
  expect(both.get(j1)).toMatchObject({ rows: 1000, parts: 1, partsDone: 1 });
  expect(both.get(j2)).toMatchObject({ rows: 7, parts: 1, partsDone: 0, waiting: 'lock' });
  expect(both.get(j2)!.updatedAt).toBeInstanceOf(Date);
});

test('a job deleted takes its plans and progress with it', async () => {
  const jobId = await newJob();
  await s.rt.plans.save(jobId, 1, { source: 'src', format: 'csv', compression: 'none', timeZone: 'UTC', strategy: 'single-stream', select: { kind: 'query', query: 'SELECT 1', columns: [] } });
  await s.rt.plans.save(jobId, 1, { source: 'src', format: 'csv', compression: 'gzip', timeZone: 'UTC', strategy: 'single-stream', select: { kind: 'query', query: 'SELECT 1', columns: [] } });
  expect((await s.rt.plans.get(jobId, 1))?.compression).toBe('gzip'); // saved again: the latest
  expect(await s.rt.plans.get(jobId, 2)).toBeNull();
  await s.rt.partProgress.start({ jobId, run: 1, part: 0, attempt: 1, scheduledAt: new Date() });
  await s.rt.jobs.delete(s.tenantId, jobId);
  expect(await s.rt.plans.get(jobId, 1)).toBeNull();
  expect(await s.rt.partProgress.totals(jobId, 1)).toMatchObject({ parts: 0 });
});
