// Scheduled recurring extractions end to end, on Temporal Schedules: a schedule every few seconds makes jobs whose
// windows follow one another and hold exactly the rows of their window; each overlap policy does what it says;
// pause, trigger and backfill; a worker down across several fire times catches up within the catch-up window and
// skips beyond it; deleting a schedule leaves its jobs; another tenant sees none of it.
import type { Client as PgClient } from 'pg';
import { seedTenant } from '../../dev/seed';
import { sourceClient, stackInfo, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { expectProblem, jobOutput } from './support';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
let stopWorker: () => Promise<void>;
const table = uniqueName('events');
// One row every ROW_MS from 4 hours ago to an hour ahead: each window's rows are known in advance.
const ROW_MS = 250;

beforeAll(async () => {
  s = await testSluice();
  stopWorker = await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(
    `CREATE TABLE ${table} AS
       SELECT row_number() OVER () AS id, t AS created_at
         FROM generate_series(date_trunc('second', now()) - interval '4 hours', now() + interval '1 hour', make_interval(secs => $1)) t`,
    [ROW_MS / 1000],
  );
});

afterAll(async () => {
  // A test that failed half-way leaves no schedule firing into the rest of the run.
  for await (const sch of s ? s.temporal.schedule.list() : []) {
    if (sch.scheduleId.startsWith(`sluice/${s.tenantId}/`)) await s.temporal.schedule.getHandle(sch.scheduleId).delete();
  }
  await api?.close();
  await src?.end();
  await s?.close();
});

interface Job {
  id: string;
  state: string;
  scheduleId: string;
  schedule: { id: string; nominalTime: string; window: { start: string; end: string } };
  timings: { createdAt: string; startedAt: string | null; finishedAt: string | null };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const windowed = { source: 'src', table, format: 'ndjson', compression: 'none',
  filter: [{ column: 'created_at', op: 'gte', value: { $runWindowStart: true } }, { column: 'created_at', op: 'lt', value: { $runWindowEnd: true } }] };

async function createSchedule(body: Record<string, unknown>): Promise<string> {
  const res = await api.call('POST', '/v1/schedules', body);
  if (res.status !== 201) throw new Error(`POST /v1/schedules answered ${res.status}: ${await res.text()}`);
  return (await res.json()).id;
}

async function jobsOf(scheduleId: string): Promise<Job[]> {
  const res = await api.call('GET', `/v1/jobs?scheduleId=${scheduleId}&limit=200`);
  expect(res.status).toBe(200);
  return ((await res.json()).jobs as Job[]).sort((a, b) => a.schedule.nominalTime.localeCompare(b.schedule.nominalTime));
}

/** Polls the schedule's jobs until `ok` holds of them. */
async function until(scheduleId: string, ok: (jobs: Job[]) => boolean, what: string, timeoutMs = 120_000): Promise<Job[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await jobsOf(scheduleId);
    if (ok(jobs)) return jobs;
    if (Date.now() > end) throw new Error(`${what}: not after ${timeoutMs} ms; jobs ${JSON.stringify(jobs.map((j) => [j.schedule.nominalTime, j.state]))}`);
    await sleep(250);
  }
}

const ended = (j: Job) => ['Completed', 'Failed', 'Cancelled'].includes(j.state);
const ms = (iso: string) => Date.parse(iso);

/** The ids of the source's rows in [start, end). */
async function rowsIn(window: { start: string; end: string }): Promise<number[]> {
  const res = await src.query<{ id: string }>(`SELECT id FROM ${table} WHERE created_at >= $1 AND created_at < $2 ORDER BY id`, [window.start, window.end]);
  return res.rows.map((r) => Number(r.id));
}

async function idsIn(jobId: string): Promise<number[]> {
  const text = await jobOutput(api, jobId);
  return text.split('\n').filter(Boolean).map((l) => Number(JSON.parse(l).id)).sort((a, b) => a - b);
}

async function pause(id: string) {
  expect((await api.call('POST', `/v1/schedules/${id}/pause`, { note: 'test over' })).status).toBe(200);
}

test('every 2 s: jobs carry the schedule, their windows follow one another without overlap, each holds exactly its rows', async () => {
  const id = await createSchedule({ interval: '2s', request: windowed });
  const jobs = await until(id, (js) => js.filter((j) => j.state === 'Completed').length >= 3, 'three completed runs');
  await pause(id);
  const done = jobs.filter((j) => j.state === 'Completed');
  for (const j of done) {
    expect(j.scheduleId).toBe(id);
    expect(j.schedule.window.end).toBe(j.schedule.nominalTime);
    expect(ms(j.schedule.window.end) - ms(j.schedule.window.start)).toBe(2000);
    expect(ms(j.schedule.nominalTime) % 2000).toBe(0); // intervals count from the epoch
    const expected = await rowsIn(j.schedule.window);
    expect(expected.length).toBe(2000 / ROW_MS);
    expect(await idsIn(j.id)).toEqual(expected);
  }
  for (let i = 1; i < jobs.length; i++) expect(ms(jobs[i].schedule.window.start)).toBeGreaterThanOrEqual(ms(jobs[i - 1].schedule.window.end));

  const view = await (await api.call('GET', `/v1/schedules/${id}`)).json();
  expect(view).toMatchObject({ id, state: 'paused', interval: '2s', overlap: 'skip', catchupWindow: '1d', nextRunTimes: [] });
  expect(view.allowedActions).toEqual(['unpause', 'trigger', 'backfill', 'update', 'delete']);
  const recent = new Map(view.recentRuns.map((r: { jobId: string }) => [r.jobId, r]));
  for (const j of done) expect(recent.get(j.id)).toMatchObject({ nominalTime: j.schedule.nominalTime, window: j.schedule.window, jobState: 'Completed', skipped: null });
  expect(view.temporal).toMatchObject({ scheduleId: `sluice/${s.tenantId}/schedule/${id}` });
  const listed = (await (await api.call('GET', '/v1/schedules')).json()).schedules.map((x: { id: string }) => x.id);
  expect(listed).toContain(id);
});

// A run that takes about 2 s, due every second: runs would overlap unless the policy keeps them apart.
const slow = { source: 'src', query: 'SELECT g AS id FROM generate_series(1, 4) g CROSS JOIN LATERAL (SELECT 1 FROM pg_sleep(0.5 + 0 * g)) s', format: 'ndjson', compression: 'none' };
const overlapping = (a: Job, b: Job) => ms(b.timings.createdAt) < ms(a.timings.finishedAt!);

test.each(['skip', 'buffer_one', 'cancel_previous'])('overlap %s: no run starts before the one before it has ended', async (overlap) => {
  const id = await createSchedule({ interval: '1s', overlap, request: slow });
  const jobs = await until(id, (js) => js.filter(ended).length >= 3, 'three ended runs');
  await pause(id);
  const done = jobs.filter(ended);
  for (let i = 1; i < done.length; i++) expect(overlapping(done[i - 1], done[i])).toBe(false);
  if (overlap === 'cancel_previous') {
    // Each run is cancelled by the next one due.
    expect(done.slice(0, -1).every((j) => j.state === 'Cancelled')).toBe(true);
  } else {
    expect(done.every((j) => j.state === 'Completed')).toBe(true);
  }
  if (overlap === 'skip') {
    const view = await (await api.call('GET', `/v1/schedules/${id}`)).json();
    expect(view.temporal.skippedForOverlap).toBeGreaterThan(0);
  }
});

test('overlap allow_all: runs go side by side', async () => {
  const id = await createSchedule({ interval: '1s', overlap: 'allow_all', request: slow });
  const jobs = await until(id, (js) => js.filter(ended).length >= 3, 'three ended runs');
  await pause(id);
  const done = jobs.filter(ended);
  expect(done.some((a, i) => done.slice(i + 1).some((b) => overlapping(a, b)))).toBe(true);
});

test('pause stops the runs and trigger makes one now, whose window ends now and starts at the fire time before', async () => {
  const id = await createSchedule({ interval: '1h', request: windowed });
  await pause(id);
  const paused = await (await api.call('GET', `/v1/schedules/${id}`)).json();
  expect(paused).toMatchObject({ state: 'paused', nextRunTimes: [], temporal: { note: 'test over' } });

  const before = Date.now();
  const res = await api.call('POST', `/v1/schedules/${id}/trigger`);
  expect(res.status).toBe(202);
  const [job] = await until(id, (js) => js.length === 1 && js[0].state === 'Completed', 'the triggered run');
  const end = ms(job.schedule.window.end);
  expect(end).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  expect(ms(job.schedule.window.start)).toBe(Math.floor((end - 1) / 3_600_000) * 3_600_000);
  expect(await idsIn(job.id)).toEqual(await rowsIn(job.schedule.window));

  const unpaused = await (await api.call('POST', `/v1/schedules/${id}/unpause`)).json();
  expect(unpaused.state).toBe('active');
  expect(ms(unpaused.nextRunTimes[0]) % 3_600_000).toBe(0);
  // Paused where operators pause it (the Web UI, the temporal CLI): the API shows it paused.
  await s.temporal.schedule.getHandle(`sluice/${s.tenantId}/schedule/${id}`).pause('paused in the Web UI');
  expect(await (await api.call('GET', `/v1/schedules/${id}`)).json()).toMatchObject({ state: 'paused', nextRunTimes: [], temporal: { note: 'paused in the Web UI' } });
});

test('backfill: one run per fire time in a past range (cron in a time zone), each with its own window and rows', async () => {
  // At minute 0 in India (UTC+05:30): half past every hour in UTC.
  const id = await createSchedule({ cron: '0 * * * *', timeZone: 'Asia/Kolkata', request: windowed });
  await pause(id);
  const end = new Date();
  const start = new Date(end.getTime() - 3 * 3_600_000);
  const res = await api.call('POST', `/v1/schedules/${id}/backfill`, { start: start.toISOString(), end: end.toISOString(), overlap: 'allow_all' });
  expect(res.status).toBe(202);
  const jobs = await until(id, (js) => js.length === 3 && js.every(ended), 'three backfilled runs');
  for (const j of jobs) {
    expect(j.state).toBe('Completed');
    expect(new Date(j.schedule.nominalTime).getUTCMinutes()).toBe(30);
    expect(ms(j.schedule.window.end) - ms(j.schedule.window.start)).toBe(3_600_000);
    expect(await idsIn(j.id)).toEqual(await rowsIn(j.schedule.window));
  }
  for (let i = 1; i < jobs.length; i++) expect(jobs[i].schedule.window.start).toBe(jobs[i - 1].schedule.window.end);
});

test('a worker down across several fire times: runs due within the catch-up window run when it is back, older ones are skipped', async () => {
  const id = await createSchedule({ interval: '2s', overlap: 'allow_all', catchupWindow: '10s', request: windowed });
  await until(id, (js) => js.some((j) => j.state === 'Completed'), 'a first run');
  await stopWorker();
  // Temporal fires on without a worker; the runs wait for one.
  const waiting = `TemporalScheduledById = "sluice/${s.tenantId}/schedule/${id}" AND ExecutionStatus = "Running"`;
  while ((await s.temporal.workflow.count(waiting)).count < 8) await sleep(500);
  const due: string[] = [];
  for await (const w of s.temporal.workflow.list({ query: waiting })) due.push(new Date(w.workflowId.slice(-20)).toISOString()); // …-2026-11-28T11:29:36Z
  stopWorker = await s.startWorker();
  type Run = { nominalTime: string; takenAt: string; jobId: string | null; skipped: string | null };
  let runs: Run[] = [];
  for (;;) {
    runs = ((await (await api.call('GET', `/v1/schedules/${id}`)).json()).recentRuns as Run[]).filter((r) => due.includes(r.nominalTime));
    if (runs.length === due.length) break;
    await sleep(500);
  }
  await pause(id);
  const skipped = runs.filter((r) => r.skipped);
  const ran = runs.filter((r) => r.jobId);
  expect(skipped.length).toBeGreaterThan(0);
  expect(ran.length).toBeGreaterThan(0);
  for (const r of skipped) expect(r).toMatchObject({ skipped: 'late', jobId: null });
  // Skipped exactly when a worker took it more than the catch-up window after it was due.
  expect(runs.map((r) => [r.nominalTime, r.skipped !== null])).toEqual(runs.map((r) => [r.nominalTime, ms(r.takenAt) - ms(r.nominalTime) > 10_000]));
  const jobs = await jobsOf(id);
  for (const r of ran) expect(jobs.find((j) => j.id === r.jobId)?.schedule.nominalTime).toBe(r.nominalTime);
});

test('PATCH changes the schedule from its next run on; cron replaces interval', async () => {
  const id = await createSchedule({ interval: '1h', request: windowed });
  const res = await api.call('PATCH', `/v1/schedules/${id}`, { interval: '30m', note: 'twice an hour' });
  expect(res.status).toBe(200);
  const half = await res.json();
  expect(half).toMatchObject({ interval: '30m', note: 'twice an hour' });
  expect(ms(half.nextRunTimes[1]) - ms(half.nextRunTimes[0])).toBe(1_800_000);
  const cron = await (await api.call('PATCH', `/v1/schedules/${id}`, { cron: '15 3 * * 1', timeZone: 'Europe/Berlin' })).json();
  expect(cron.interval).toBeUndefined();
  expect(cron).toMatchObject({ cron: '15 3 * * 1', timeZone: 'Europe/Berlin', note: 'twice an hour' });
  expect(new Date(cron.nextRunTimes[0]).getUTCDay()).toBe(1);
  await expectProblem(await api.call('PATCH', `/v1/schedules/${id}`, { interval: 'often' }), 400, 'interval');
  await expectProblem(await api.call('PATCH', `/v1/schedules/${id}`, { request: { ...windowed, table: 'no_such_table' } }), 400, 'request.table');
  expect((await api.call('DELETE', `/v1/schedules/${id}`)).status).toBe(204);
});

test('bad definitions get a 400 naming the field', async () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ cron: '0 2 * * *', interval: '5s', request: windowed }, 'cron'],
    [{ request: windowed }, 'cron'],
    [{ cron: '0 2 * *', request: windowed }, 'cron'],
    [{ cron: '0 2 1 * 1', request: windowed }, 'cron'],
    [{ interval: '5 seconds', request: windowed }, 'interval'],
    [{ interval: '5s', timeZone: 'Mars/Olympus', request: windowed }, 'timeZone'],
    [{ interval: '5s', overlap: 'sometimes', request: windowed }, 'overlap'],
    [{ interval: '5s', catchupWindow: '1s', request: windowed }, 'catchupWindow'],
    [{ interval: '5s', startAt: '2027-01-02T00:00:00Z', endAt: '2027-01-01T00:00:00Z', request: windowed }, 'endAt'],
    [{ interval: '5s', request: { ...windowed, mode: 'inline' } }, 'request.mode'],
    [{ interval: '5s', request: { ...windowed, notify: { emails: ['a@example.com'] } } }, 'request.notify'],
    [{ interval: '5s', request: { ...windowed, source: 'nowhere' } }, 'request.source'],
    [{ interval: '5s', request: { ...windowed, filter: [{ column: 'no_such_column', op: 'gte', value: { $runWindowStart: true } }] } }, 'request.filter[0].column'],
    [{ interval: '5s', request: { ...windowed, filter: [{ column: 'created_at', op: 'gte', value: { $runWindowMiddle: true } }] } }, 'request.filter[0].value'],
  ];
  for (const [body, field] of bad) await expectProblem(await api.call('POST', '/v1/schedules', body), 400, field);
  const id = await createSchedule({ interval: '1h', request: windowed });
  const future = new Date(Date.now() + 3_600_000).toISOString();
  await expectProblem(await api.call('POST', `/v1/schedules/${id}/backfill`, { start: new Date().toISOString(), end: future }), 400, 'end');
  await expectProblem(await api.call('POST', `/v1/schedules/${id}/trigger`, { overlap: 'never' }), 400, 'overlap');
  await expectProblem(await api.call('GET', '/v1/schedules/sch_nothing'), 404, 'id');
  expect((await api.call('DELETE', `/v1/schedules/${id}`)).status).toBe(204);
});

test('deleting a schedule stops it and leaves the jobs it made; another tenant sees none of it', async () => {
  const id = await createSchedule({ interval: '2s', request: windowed });
  const made = await until(id, (js) => js.some((j) => j.state === 'Completed'), 'a completed run');
  const otherId = uniqueName('tenant');
  const other = { authorization: `Bearer ${await seedTenant(s.rt, { tenantId: otherId, sourceName: 'src', sourceUrl: stackInfo().sourceUrl })}` };
  for (const [method, path] of [['GET', ''], ['PATCH', ''], ['POST', '/pause'], ['POST', '/trigger'], ['POST', '/backfill'], ['DELETE', '']]) {
    const body = method === 'GET' || method === 'DELETE' ? undefined : {};
    expect((await api.call(method, `/v1/schedules/${id}${path}`, body, other)).status).toBe(404);
  }
  expect((await (await api.call('GET', '/v1/schedules', undefined, other)).json()).schedules).toEqual([]);
  expect((await (await api.call('GET', `/v1/jobs?scheduleId=${id}`, undefined, other)).json()).jobs).toEqual([]);

  expect((await api.call('DELETE', `/v1/schedules/${id}`)).status).toBe(204);
  await expectProblem(await api.call('GET', `/v1/schedules/${id}`), 404);
  await expect(s.temporal.schedule.getHandle(`sluice/${s.tenantId}/schedule/${id}`).describe()).rejects.toThrow();
  const done = made.find((j) => j.state === 'Completed')!;
  const kept = await (await api.call('GET', `/v1/jobs/${done.id}`)).json();
  expect(kept).toMatchObject({ id: done.id, state: 'Completed', scheduleId: id });
  // Runs that were going finish; no run starts after the delete.
  await sleep(4000);
  const after = await jobsOf(id);
  await sleep(4000);
  expect((await jobsOf(id)).length).toBe(after.length);
});

test('a connection a schedule reads from cannot be deleted; a run on a day the tenant\'s quota is spent makes no job', async () => {
  const id = await createSchedule({ interval: '1h', request: windowed });
  await pause(id);
  const refused = await expectProblem(await api.call('DELETE', '/v1/connections/src'), 409);
  expect(refused.usedBy).toContainEqual({ id, kind: 'schedule', state: 'paused' });

  expect((await api.call('POST', `/v1/schedules/${id}/trigger`)).status).toBe(202);
  await until(id, (js) => js.length === 1 && js[0].state === 'Completed', 'a first run');
  // Temporal names a run by the second it is due: a trigger while the first run's workflow is still closing, in
  // the same second, would be that same run again and be dropped.
  const open = `TemporalScheduledById = "sluice/${s.tenantId}/schedule/${id}" AND ExecutionStatus = "Running"`;
  while ((await s.temporal.workflow.count(open)).count > 0) await sleep(250);
  await sleep(1000);
  await s.rt.tenantLimits.set(s.tenantId, { dailyRows: 1 }); // that run extracted more
  try {
    expect((await api.call('POST', `/v1/schedules/${id}/trigger`)).status).toBe(202);
    for (;;) {
      const runs = (await (await api.call('GET', `/v1/schedules/${id}`)).json()).recentRuns;
      if (runs.length === 2) {
        expect(runs[0]).toMatchObject({ skipped: 'quota', jobId: null, jobState: null });
        break;
      }
      await sleep(250);
    }
    expect(await jobsOf(id)).toHaveLength(1);
  } finally {
    await s.rt.tenantLimits.set(s.tenantId, { dailyRows: null });
  }
});

test('a time zone Temporal does not know is a 400, and no schedule is left behind', async () => {
  const before = (await (await api.call('GET', '/v1/schedules?limit=200')).json()).schedules.length;
  await expectProblem(await api.call('POST', '/v1/schedules', { cron: '0 2 * * *', timeZone: 'europe/berlin', request: windowed }), 400, 'timeZone');
  // Node's Intl knows it in any case (as Asia/Calcutta); Temporal refuses it.
  await expectProblem(await api.call('POST', '/v1/schedules', { cron: '0 2 * * *', timeZone: 'asia/kolkata', request: windowed }), 400, 'timeZone');
  expect((await (await api.call('GET', '/v1/schedules?limit=200')).json()).schedules.length).toBe(before);
});
