// Tiny jobs: how long a job of a few rows takes from submit to Completed, and where that time goes. Each job is
// submitted, polled until Completed, then its workflow history is read: every step between submit and the poll
// that saw Completed is timed from the client's clock, the job's createdAt, history event times and the
// completion times recorded for local activities. Everything runs on this machine: one clock.
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { performance } from 'node:perf_hooks';
import { workflowIdFor } from '../api/job-control';
import type { SluiceHttp } from './http';
import { fmt, int, log, median, percentile, sleep } from './util';

export const TINY_ROWS = 10;
const REPEATS = Number(process.env.BENCH_TINY_REPEATS ?? 20);
const WARMUPS = 3;
const POLL_MS = Number(process.env.BENCH_TINY_POLL_MS ?? 20);
const TIMEOUT_MS = 60_000;
const GOAL_MS = 500;
const TENANT = 'bench';
const REQUEST = { source: 'bench', table: 'public.orders', filter: [{ column: 'id', op: 'lte', value: TINY_ROWS }], mode: 'job' };

interface TinyJobView {
  id: string;
  state: string;
  progress: { rowsDone: number };
  plan: { strategy: string; parts: number } | null;
  timings: { createdAt: string; finishedAt: string | null };
  error: unknown;
}

interface TinyRun {
  /** POST sent → a poll saw Completed. */
  seenMs: number;
  /** POST sent → its 202 received. */
  acceptedMs: number;
  /** The job's own timings.createdAt → finishedAt (the workflow's time when it ended). */
  ownMs: number;
  /** Milliseconds per step, in the order first met. */
  steps: Map<string, number>;
  /** The job's workflow history in short: its tasks, activities and any other events. */
  path: string;
}

export interface TinyResult {
  runs: TinyRun[];
  plan: string;
}

export interface TinyJobSetup {
  http: SluiceHttp;
  temporal: Client;
  /** How the worker process ended, if it has. */
  workerGone: () => string | null;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

export async function measureTinyJobs(s: TinyJobSetup): Promise<TinyResult> {
  log(`tiny jobs: ${WARMUPS} warm-ups (discarded), then ${REPEATS} one after another…`);
  for (let i = 0; i < WARMUPS; i++) await runTinyJob(s);
  const runs: TinyRun[] = [];
  let plan = '';
  for (let i = 1; i <= REPEATS; i++) {
    const { run, job } = await runTinyJob(s);
    runs.push(run);
    plan = `${job.plan?.strategy}, ${job.plan?.parts} part(s)`;
    log(`tiny job #${i}: seen Completed after ${int(run.seenMs)} ms (202 after ${int(run.acceptedMs)} ms; createdAt → finishedAt ${int(run.ownMs)} ms)`);
  }
  return { runs, plan };
}

async function runTinyJob(s: TinyJobSetup): Promise<{ run: TinyRun; job: TinyJobView }> {
  const submittedAt = Date.now();
  const t0 = performance.now();
  const { id } = await s.http.json<TinyJobView>('POST', '/v1/extractions', 202, REQUEST);
  const acceptedMs = performance.now() - t0;
  const job = await pollUntilCompleted(s, id, t0);
  const seenMs = performance.now() - t0;
  if (job.progress.rowsDone !== TINY_ROWS) throw new Error(`tiny job ${id} completed with ${job.progress.rowsDone} rows, expected ${TINY_ROWS}`);
  const events = await settledHistory(s.temporal.workflow.getHandle(workflowIdFor(TENANT, id)));
  await s.http.json('DELETE', `/v1/jobs/${id}`, 204);
  const createdAt = Date.parse(job.timings.createdAt);
  const points: Point[] = [
    { at: submittedAt, step: '' }, // the start
    { at: createdAt, step: 'API: request checked (key, catalog, EXPLAIN), job row written' },
    ...pointsOf(events),
  ];
  return {
    run: { seenMs, acceptedMs, ownMs: Date.parse(job.timings.finishedAt!) - createdAt, steps: stepsOf(points, submittedAt + seenMs), path: pathOf(events) },
    job,
  };
}

async function pollUntilCompleted(s: TinyJobSetup, id: string, t0: number): Promise<TinyJobView> {
  for (;;) {
    await sleep(POLL_MS);
    const job = await s.http.json<TinyJobView>('GET', `/v1/jobs/${id}`, 200);
    if (job.state === 'Completed') return job;
    if (job.state === 'Failed' || job.state === 'Cancelled') throw new Error(`tiny job ${id} ${job.state}: ${JSON.stringify(job.error)}`);
    const gone = s.workerGone();
    if (gone) throw new Error(`the worker exited (${gone}) while tiny job ${id} was ${job.state}`);
    if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`tiny job ${id} still ${job.state} after ${TIMEOUT_MS} ms`);
  }
}

// The poll can see Completed while the workflow task that completed the job still runs, and a task's local
// activities are recorded when it completes: wait until no task is in flight.
async function settledHistory(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  const t0 = performance.now();
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    const count = (pick: (e: HistoryEvent) => unknown) => events.filter(pick).length;
    const ended = count((e) => e.workflowTaskCompletedEventAttributes || e.workflowTaskFailedEventAttributes || e.workflowTaskTimedOutEventAttributes);
    if (count((e) => e.workflowTaskScheduledEventAttributes) === ended) return events;
    if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`the workflow task of ${handle.workflowId} still runs after ${TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

// A moment on the path of the job, and the step that ends there (what the time since the moment before went to).
interface Point {
  at: number;
  step: string;
}

type Timestamp = HistoryEvent['eventTime'];
const timeMs = (t: Timestamp) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
const TASK_WAIT = 'workflow task: scheduled → picked up by the worker';
const TASK_CODE = 'workflow task: workflow code, completing the task';

interface LocalActivityMarker {
  activity_type: string;
  complete_time: Timestamp;
  original_schedule_time: Timestamp;
}
const isLocalActivity = (e: HistoryEvent) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity';
const localActivityOf = (e: HistoryEvent) => defaultPayloadConverter.fromPayload<LocalActivityMarker>(e.markerRecordedEventAttributes!.details!.data.payloads![0]);

function pointsOf(events: HistoryEvent[]): Point[] {
  // Activity events name their type only when scheduled; the later ones refer to that event.
  const names = new Map<string, string>();
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) names.set(String(e.eventId), name);
  }
  const activity = (scheduledEventId: unknown) => `activity ${names.get(String(scheduledEventId)) ?? '?'}`;
  const taskStarts = events.filter((e) => e.workflowTaskStartedEventAttributes).map((e) => timeMs(e.eventTime));
  return events.flatMap((e): Point[] => {
    const at = timeMs(e.eventTime);
    if (e.workflowExecutionStartedEventAttributes) return [{ at, step: 'API: workflow started' }];
    if (e.workflowTaskStartedEventAttributes) return [{ at, step: TASK_WAIT }];
    if (e.workflowTaskCompletedEventAttributes) return [{ at, step: TASK_CODE }];
    if (e.activityTaskStartedEventAttributes) return [{ at, step: `${activity(e.activityTaskStartedEventAttributes.scheduledEventId)}: scheduled → picked up by the worker` }];
    if (e.activityTaskCompletedEventAttributes) return [{ at, step: `${activity(e.activityTaskCompletedEventAttributes.scheduledEventId)}: running` }];
    if (isLocalActivity(e)) {
      // A local activity runs inside a workflow task; its marker is recorded when a task completes and holds when
      // it was scheduled (a clock reading) and its complete_time: the workflow time when it was scheduled (the
      // start of the task then running) plus the time it ran.
      const la = localActivityOf(e);
      const scheduled = timeMs(la.original_schedule_time);
      const workflowTime = Math.max(...taskStarts.filter((t) => t <= scheduled));
      return [{ at: scheduled, step: TASK_CODE }, { at: scheduled + timeMs(la.complete_time) - workflowTime, step: `local activity ${la.activity_type}` }];
    }
    return []; // the other events are a task's commands (activities and timers scheduled, search attributes): at its completion
  });
}

const COMPLETED_RECORD = 'local activity recordSnapshot'; // the last one records Completed in Sluice's database

// The time between each moment and the one before goes to the step that ends there. The path ends when the poll
// saw Completed: what came after the job's record said Completed (giving back its slot) is the poll's delay.
function stepsOf(points: Point[], seenAt: number): Map<string, number> {
  const recordedAt = Math.max(...points.filter((p) => p.step === COMPLETED_RECORD).map((p) => p.at));
  const path = points.filter((p) => p.at <= Math.min(recordedAt, seenAt)).sort((a, b) => a.at - b.at);
  path.push({ at: seenAt, step: `API: Completed seen by the poll (every ${POLL_MS} ms)` });
  const steps = new Map<string, number>();
  for (let i = 1; i < path.length; i++) steps.set(path[i].step, (steps.get(path[i].step) ?? 0) + path[i].at - path[i - 1].at);
  return steps;
}

const KNOWN_EVENTS = new Set([
  'workflowExecutionStartedEventAttributes', 'workflowTaskScheduledEventAttributes', 'workflowTaskStartedEventAttributes', 'workflowTaskCompletedEventAttributes',
  'activityTaskScheduledEventAttributes', 'activityTaskStartedEventAttributes', 'activityTaskCompletedEventAttributes', 'markerRecordedEventAttributes',
  'upsertWorkflowSearchAttributesEventAttributes', 'timerStartedEventAttributes',
]);

function pathOf(events: HistoryEvent[]): string {
  const tasks = events.filter((e) => e.workflowTaskStartedEventAttributes).length;
  const activities = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  const local = events.flatMap((e) => (isLocalActivity(e) ? localActivityOf(e).activity_type : []));
  const other = events.flatMap((e) => Object.keys(e).filter((k) => k.endsWith('EventAttributes') && !KNOWN_EVENTS.has(k)).map((k) => k.replace(/EventAttributes$/, '')));
  return `${tasks} workflow tasks; activities ${activities.join(', ')}; local activities ${local.join(', ')}${other.length ? `; also ${other.join(', ')}` : ''}`;
}

// Steps by what they are, for the short answer to "where does the time go".
function kindOf(step: string): string {
  if (step.startsWith('API: Completed seen')) return 'the poll seeing Completed';
  if (step.startsWith('API:')) return 'API: checks, job row, workflow start';
  if (step.endsWith('picked up by the worker')) return 'tasks waiting to be picked up by the worker (workflow and activity tasks)';
  if (step === TASK_CODE) return 'workflow code and completing workflow tasks';
  if (step.startsWith('local activity')) return 'local activities (status records, slots)';
  return 'activities running (plan, part, manifest)';
}

function byKind(steps: Map<string, number>): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const [step, ms] of steps) kinds.set(kindOf(step), (kinds.get(kindOf(step)) ?? 0) + ms);
  return kinds;
}

// One row per step (or kind): its median, p90 and share of the median total over the runs.
function breakdownRows(perRun: Map<string, number>[], total: number): string[] {
  return [...new Set(perRun.flatMap((m) => [...m.keys()]))].map((step) => {
    const xs = perRun.map((m) => m.get(step) ?? 0);
    return `| ${step} | ${fmt(median(xs))} | ${fmt(percentile(xs, 90))} | ${fmt((100 * median(xs)) / total, 0)}% |`;
  });
}

export function tinyJobReport(r: TinyResult): string[] {
  const row = (label: string, xs: number[], goal = '') =>
    `| ${label} | ${int(median(xs))} | ${int(percentile(xs, 90))} | ${int(Math.min(...xs))} | ${int(Math.max(...xs))} | ${goal} |`;
  const seen = r.runs.map((x) => x.seenMs);
  const lines = [`### Tiny jobs: ${TINY_ROWS} rows, submit → Completed`, ''];
  lines.push(`- Request: POST /v1/extractions \`${JSON.stringify(REQUEST)}\` (csv, gzip: the defaults); plan ${r.plan}; GET /v1/jobs/:id polled every ${POLL_MS} ms; ` +
    `${r.runs.length} jobs one after another after ${WARMUPS} warm-ups; each deleted after it was timed`, '');
  lines.push('| Measure | median ms | p90 ms | min ms | max ms | Goal |', '|---|---:|---:|---:|---:|---|');
  lines.push(row('submit → Completed seen by the poll', seen, `median < ${GOAL_MS} ms: ${median(seen) < GOAL_MS ? 'met' : 'NOT met'}`));
  lines.push(row("the job's own timings.createdAt → finishedAt", r.runs.map((x) => x.ownMs)));
  lines.push(row('submit → 202 received', r.runs.map((x) => x.acceptedMs)), '');
  lines.push('Where the time goes, submit → seen Completed (from this client\'s clock, the job\'s createdAt, the workflow history\'s event times and the ' +
    'times it records for local activities; a step that occurs more than once per job is summed; medians do not add up exactly to the median total):', '');
  const header = (what: string) => [`| ${what} | median ms | p90 ms | share of the median total |`, '|---|---:|---:|---:|'];
  lines.push(...header('Kind'), ...breakdownRows(r.runs.map((x) => byKind(x.steps)), median(seen)), '');
  lines.push(...header('Step'), ...breakdownRows(r.runs.map((x) => x.steps), median(seen)));
  const paths = new Map<string, number>();
  for (const x of r.runs) paths.set(x.path, (paths.get(x.path) ?? 0) + 1);
  lines.push('', `- Workflow history per job: ${[...paths].map(([path, n]) => `${n} of ${r.runs.length} jobs: ${path}`).join('; ')}`);
  return lines;
}
