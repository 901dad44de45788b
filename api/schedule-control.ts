// The API's calls to a schedule in Temporal: Temporal fires the runs (a scheduledExtraction workflow each), so a
// schedule shows in the Web UI (Schedules) and runs while the API is down. A 503 when Temporal cannot be reached.
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import type { OverlapPolicy, ScheduleDefinition } from '../domain/schedule';
import { scheduledExtraction } from '../workflows/scheduled-extraction';
import { JOB_KIND_ATTRIBUTE, TENANT_ATTRIBUTE } from '../workflows/search-attributes';
import { badRequest } from './problem';
import { callTemporal } from './workflow-calls';

export interface ScheduleControl {
  temporal: Client;
  taskQueue: string;
}

export const temporalScheduleIdFor = (tenantId: string, scheduleId: string) => `sluice/${tenantId}/schedule/${scheduleId}`;

const OVERLAP: Record<OverlapPolicy, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  cancel_previous: ScheduleOverlapPolicy.CANCEL_OTHER,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
};

type Target = { tenantId: string; id: string };

function scheduleParts(c: ScheduleControl, s: Target, d: ScheduleDefinition) {
  const bounds = { startAt: d.startAt ? new Date(d.startAt) : undefined, endAt: d.endAt ? new Date(d.endAt) : undefined, jitter: d.jitter as '1s' };
  return {
    spec: d.cron ? { cronExpressions: [d.cron], timezone: d.timeZone, ...bounds } : { intervals: [{ every: d.interval as '1s' }], ...bounds },
    action: {
      type: 'startWorkflow' as const,
      workflowType: scheduledExtraction,
      taskQueue: c.taskQueue,
      // Temporal appends each run's time to it.
      workflowId: temporalScheduleIdFor(s.tenantId, s.id),
      args: [{ scheduleId: s.id, tenantId: s.tenantId }] as [Parameters<typeof scheduledExtraction>[0]],
      typedSearchAttributes: [{ key: TENANT_ATTRIBUTE, value: s.tenantId }, { key: JOB_KIND_ATTRIBUTE, value: 'scheduled-run' }],
      staticSummary: `Run of schedule ${s.id}`,
    },
    policies: { overlap: OVERLAP[d.overlap], catchupWindow: d.catchupWindow as '1s' },
  };
}

const handle = (c: ScheduleControl, s: Target) => c.temporal.schedule.getHandle(temporalScheduleIdFor(s.tenantId, s.id));

export async function createSchedule(c: ScheduleControl, s: Target, d: ScheduleDefinition): Promise<void> {
  const options: ScheduleOptions = { scheduleId: temporalScheduleIdFor(s.tenantId, s.id), ...scheduleParts(c, s, d) };
  await callTemporal(c.temporal, 'the schedule could not be created', () => c.temporal.schedule.create(options).catch(refusedSpec));
}

/** The new definition from the next run on; runs in progress are left as they are. */
export async function updateSchedule(c: ScheduleControl, s: Target, d: ScheduleDefinition): Promise<void> {
  await callTemporal(c.temporal, 'the schedule could not be changed', () =>
    handle(c, s).update((prev) => ({ ...prev, ...scheduleParts(c, s, d) })).catch(refusedSpec));
}

// What Sluice's checks let through and Temporal still refuses (a time zone its database lacks): the request's
// fault. The SDK turns Temporal's INVALID_ARGUMENT into a TypeError.
function refusedSpec(err: unknown): never {
  if (err instanceof TypeError) {
    const field = /time ?zone/i.test(err.message) ? 'timeZone' : /cron|calendar/i.test(err.message) ? 'cron' : 'body';
    throw badRequest(field, `Temporal refused the schedule: ${err.message}`, 'time zones as spelled in the IANA database ("Asia/Kolkata"); cron as in the README');
  }
  throw err;
}

export async function pauseSchedule(c: ScheduleControl, s: Target, paused: boolean, note?: string): Promise<void> {
  await callTemporal(c.temporal, `the schedule could not be ${paused ? 'paused' : 'unpaused'}`, () =>
    paused ? handle(c, s).pause(note ?? 'paused through the Sluice API') : handle(c, s).unpause(note ?? 'unpaused through the Sluice API'));
}

/** One run now: its window ends now and starts at the fire time before. */
export async function triggerSchedule(c: ScheduleControl, s: Target, overlap: OverlapPolicy): Promise<void> {
  await callTemporal(c.temporal, 'the schedule could not be triggered', () => handle(c, s).trigger(OVERLAP[overlap]));
}

/** A run for each fire time in [start, end], each with its own window. */
export async function backfillSchedule(c: ScheduleControl, s: Target, range: { start: Date; end: Date; overlap: OverlapPolicy }): Promise<void> {
  await callTemporal(c.temporal, 'the backfill could not be started', () =>
    handle(c, s).backfill({ start: range.start, end: range.end, overlap: OVERLAP[range.overlap] }));
}

/** Removes the schedule from Temporal (gone already is fine); runs in progress go on. */
export async function deleteSchedule(c: ScheduleControl, s: Target): Promise<void> {
  await callTemporal(c.temporal, 'the schedule could not be deleted', async () => {
    try {
      await handle(c, s).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  });
}

export interface TemporalScheduleState {
  paused: boolean;
  note: string | null;
  /** The next times a run starts, jitter included. */
  nextActionTimes: string[];
  /** Runs whose workflows are open now. */
  running: number;
  /** Fire times skipped because a run was still going. */
  skippedForOverlap: number;
}

/** What Temporal knows of the schedule now; null when it has no such schedule. */
export async function describeSchedule(c: ScheduleControl, s: Target): Promise<TemporalScheduleState | null> {
  let d: ScheduleDescription;
  try {
    d = await callTemporal(c.temporal, 'the schedule could not be read', () => handle(c, s).describe());
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
  return {
    paused: d.state.paused,
    note: d.state.note ?? null,
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    running: d.info.runningActions.length,
    skippedForOverlap: d.info.numActionsSkippedOverlap,
  };
}
