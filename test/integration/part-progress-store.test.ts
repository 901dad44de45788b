// The part progress store on its own: what each write of an attempt leaves, that a late write of an older attempt
// or activity never overwrites a newer one, and what totals() makes of the rows. And the events of a running job:
// job.part_ready once per job, run and part, with the write that records the part (not when that write is
// ignored, nor for a run the job has left); job.progress at most once per interval however many parts try at
// once, and never once the run is no longer Running.
import { randomBytes } from 'node:crypto';
import { workflowIdFor } from '../../api/job-control';
import { extractionRequestSchema } from '../../domain/extraction-request';
import { newRun } from '../../domain/new-run';
import { partReadyEvent } from '../../domain/running-job-events';
import { silentFailure, type PartAttempt } from '../../store/part-progress';
import { ownSluiceDatabase, testSluice, type TestSluice } from '../support/stack';

let s: TestSluice;

// A database of its own: the webhook endpoints made here must not be handed events by another test's worker.
beforeAll(async () => {
  s = await testSluice({ SLUICE_DATABASE_URL: await ownSluiceDatabase() });
});

afterAll(async () => {
  await s?.close();
});

async function newJob(on: TestSluice = s, more: Record<string, unknown> = {}): Promise<string> {
  const jobId = `job_${randomBytes(8).toString('hex')}`;
  const request = extractionRequestSchema.parse({ source: 'src', query: 'SELECT 1', mode: 'job', ...more });
  await on.rt.jobs.create({ id: jobId, tenantId: on.tenantId, request, workflowId: workflowIdFor(on.tenantId, jobId) });
  return jobId;
}

/** A webhook endpoint of the tenant subscribed to `events` (never delivered to: no worker runs here). */
async function endpoint(on: TestSluice, events: string[]): Promise<string> {
  const id = `wh_${randomBytes(10).toString('hex')}`;
  await on.rt.db.query(`INSERT INTO webhook_endpoints (id, tenant_id, url, events, secrets) VALUES ($1, $2, 'https://example.com/h', $3, '[]')`, [id, on.tenantId, events]);
  return id;
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

const record = (jobId: string, run: number, state: 'Running' | 'Completed' | 'Paused') =>
  s.rt.jobs.recordSnapshot({ ...newRun(jobId, run, new Date().toISOString()), state, finishedAt: state === 'Completed' ? new Date().toISOString() : null });

const eventsOf = async (jobId: string, type: string) =>
  (await s.rt.db.query('SELECT dedupe_key, payload, created_at FROM events WHERE subject = $1 AND type = $2 ORDER BY created_at', [jobId, type])).rows;

const file = (index: number, rows: number) => ({ index, key: `x/runs/1/part-0000${index + 1}.csv`, rows, bytes: rows * 10, sha256: 'ab'.repeat(32) });

test('job.part_ready: one per part, written with the record of the part, retries and stragglers included', async () => {
  const jobId = await newJob();
  const p = s.rt.partProgress;
  const ref = { jobId, run: 1 };
  const a: PartAttempt = { jobId, run: 1, part: 0, attempt: 2, scheduledAt: new Date('2026-01-01T00:00:00Z') };
  await p.finish({ ...a, attempt: 1 }, { rows: 1, bytes: 1 }, partReadyEvent(ref, file(0, 1))); // attempt 1 wrote first
  await p.finish(a, { rows: 7, bytes: 70 }, partReadyEvent(ref, file(0, 7))); // its retry: already told
  expect((await eventsOf(jobId, 'job.part_ready')).map((e) => e.payload)).toEqual([expect.objectContaining({ part: 0, rows: 1 })]);

  // A straggler of an older attempt is ignored, and so is its event.
  const b: PartAttempt = { ...a, part: 1 };
  await p.start(b);
  await p.finish({ ...b, attempt: 1 }, { rows: 3, bytes: 30 }, partReadyEvent(ref, file(1, 3)));
  expect(await eventsOf(jobId, 'job.part_ready')).toHaveLength(1);
  await p.finish(b, { rows: 5, bytes: 50 }, partReadyEvent(ref, file(1, 5)));

  // A stream's files, each with the report of its counts so far.
  const c: PartAttempt = { ...a, part: 2 };
  await p.report(c, { rows: 4, bytes: 40, waiting: null }, partReadyEvent(ref, file(2, 4)));
  await p.report(c, { rows: 10, bytes: 100, waiting: null }, partReadyEvent(ref, file(3, 6)));
  expect(await p.totals(jobId, 1)).toMatchObject({ rows: 7 + 5 + 10, partsDone: 2 });

  // A part of run 1 finishing after the job moved on to run 2 tells nothing.
  await record(jobId, 2, 'Running');
  await p.finish({ ...a, part: 9 }, { rows: 1, bytes: 1 }, partReadyEvent(ref, file(9, 1)));
  const events = await eventsOf(jobId, 'job.part_ready');
  expect(events.map((e) => [e.dedupe_key, e.payload.rows])).toEqual([
    [`job.part_ready/${jobId}/1/0`, 1], [`job.part_ready/${jobId}/1/1`, 5], [`job.part_ready/${jobId}/1/2`, 4], [`job.part_ready/${jobId}/1/3`, 6],
  ]);
  expect(events[3].payload).toEqual({ jobId, run: 1, part: 3, fileName: 'part-00004.csv', rows: 6, bytes: 60, sha256: 'ab'.repeat(32) });
});

test('job.progress: only when a webhook wants it; one of many parts trying at once gets through, the next after the interval, none once the run ended', async () => {
  const jobId = await newJob();
  const tryAll = () => Promise.all(Array.from({ length: 12 }, (_, i) => s.rt.jobs.recordProgressEvent(jobId, 1, 1, { rows: i })));

  expect(await tryAll()).not.toContain(true); // Queued: not running yet
  await record(jobId, 1, 'Running');
  expect(await tryAll()).not.toContain(true); // no webhook wants job.progress: nothing is written
  await endpoint(s, ['job.progress']);
  expect((await tryAll()).filter(Boolean)).toHaveLength(1);
  expect((await tryAll()).filter(Boolean)).toHaveLength(0); // within the interval
  await new Promise((r) => setTimeout(r, 1050));
  expect((await tryAll()).filter(Boolean)).toHaveLength(1);
  expect(await s.rt.jobs.recordProgressEvent(jobId, 2, 1, {})).toBe(false); // not the job's run

  const events = await eventsOf(jobId, 'job.progress');
  expect(events).toHaveLength(2);
  expect(events[1].created_at.getTime() - events[0].created_at.getTime()).toBeGreaterThanOrEqual(1000);

  await new Promise((r) => setTimeout(r, 1050));
  await record(jobId, 1, 'Paused');
  expect((await tryAll()).filter(Boolean)).toHaveLength(0);
  await record(jobId, 1, 'Completed');
  expect((await tryAll()).filter(Boolean)).toHaveLength(0);
  expect(await eventsOf(jobId, 'job.progress')).toHaveLength(2);
});

test('job.progress for a webhook that only the job\'s request names', async () => {
  const other = await testSluice({ SLUICE_DATABASE_URL: s.config.SLUICE_DATABASE_URL });
  try {
    const named = await endpoint(other, ['job.completed']);
    const plain = await newJob(other);
    const notifying = await newJob(other, { notify: { webhooks: [named], events: ['job.progress'] } });
    for (const jobId of [plain, notifying]) await record(jobId, 1, 'Running');
    expect(await other.rt.jobs.recordProgressEvent(plain, 1, 1, {})).toBe(false);
    expect(await other.rt.jobs.recordProgressEvent(notifying, 1, 1, {})).toBe(true);
  } finally {
    await other.close();
  }
});
