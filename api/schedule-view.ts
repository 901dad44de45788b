// The JSON a client sees for a schedule: its definition, whether it is paused, when it runs next, and its latest
// runs with their jobs. Next times are computed from the definition (nominal, without jitter), so a list needs no
// Temporal; a single schedule adds what Temporal says (next start times with jitter, runs going, skips).
import { nextFireTimes } from '../domain/run-window';
import { fireSpecOf } from '../domain/schedule-run';
import type { ScheduleRecord, ScheduleRun } from '../store/schedules';
import type { TemporalScheduleState } from './schedule-control';

const NEXT_TIMES = 5;

export function scheduleView(s: ScheduleRecord, o: { runs: ScheduleRun[]; temporal?: TemporalScheduleState | null; now?: Date }) {
  const d = s.definition;
  const now = o.now ?? new Date();
  const next = s.paused ? [] : nextFireTimes({ ...fireSpecOf(d), startAt: d.startAt, endAt: d.endAt }, now, NEXT_TIMES);
  const state = s.paused ? 'paused' : next.length === 0 ? 'ended' : 'active';
  return {
    id: s.id,
    state,
    // A schedule past its end still runs when triggered or backfilled.
    allowedActions: [...(state === 'paused' ? ['unpause'] : state === 'active' ? ['pause'] : []), 'trigger', 'backfill', 'update', 'delete'],
    // The definition in the order it is documented (the database keeps keys in its own order).
    cron: d.cron, interval: d.interval, timeZone: d.timeZone, startAt: d.startAt, endAt: d.endAt, jitter: d.jitter,
    overlap: d.overlap, catchupWindow: d.catchupWindow, request: d.request, notify: d.notify, note: d.note,
    nextRunTimes: next.map((t) => t.toISOString()),
    recentRuns: o.runs.map((r) => ({
      nominalTime: r.nominalTime.toISOString(),
      window: r.window,
      takenAt: r.takenAt.toISOString(),
      jobId: r.jobId,
      jobState: r.jobId ? r.jobState ?? 'Deleted' : null,
      skipped: r.skipped,
      at: r.createdAt.toISOString(),
    })),
    // Undefined in lists; null when Temporal could not be asked or has no such schedule.
    temporal: o.temporal === undefined ? undefined : o.temporal && {
      scheduleId: s.temporalScheduleId,
      note: o.temporal.note,
      nextStartTimes: o.temporal.nextActionTimes,
      runningRuns: o.temporal.running,
      skippedForOverlap: o.temporal.skippedForOverlap,
    },
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    links: { self: `/v1/schedules/${s.id}`, jobs: `/v1/jobs?scheduleId=${s.id}` },
  };
}
