// The JSON a client sees for a job: its snapshot (as its workflow last recorded it) with what its parts report
// while they run (rows, bytes, waiting, retries), derived for reading. No Temporal call: with the worker or
// Temporal down, a job shows its last known progress, marked stale with its age.
import type { ExtractionSnapshot } from '../domain/extraction-job';
import { allowedActions } from '../domain/lifecycle';
import { activeMsAt, estimateCompletion, liveProgress, progressView } from '../domain/progress';
import type { QueuePosition } from '../store/job-slots';
import type { JobRecord, JobRun } from '../store/jobs';
import type { ProgressTotals } from '../store/part-progress';

export interface JobViewExtras {
  /** What the current run's parts reported last. */
  live?: ProgressTotals | null;
  /** Where a Queued job stands in the queue for a running slot. */
  queue?: QueuePosition | null;
  /** A running job whose progress is older than this is marked stale. */
  staleAfterMs?: number;
  now?: Date;
}

export function jobView(job: JobRecord, { live = null, queue = null, staleAfterMs = Infinity, now = new Date() }: JobViewExtras = {}) {
  const s = job.snapshot;
  const progress = liveProgress(s, live);
  const runningMs = s.startedAt ? activeMsAt(progress, now.getTime()) : null; // pauses and queueing excluded
  const updatedAt = new Date(Math.max(job.updatedAt.getTime(), live?.updatedAt?.getTime() ?? 0));
  const ageMs = now.getTime() - updatedAt.getTime();
  const startedAt = s.startedAt ? new Date(s.startedAt) : null;
  return {
    id: job.id,
    kind: job.kind,
    state: s.state,
    run: s.run,
    queue: s.state === 'Queued' ? queue : null,
    waiting: s.state === 'Running' ? live?.waiting ?? null : null,
    request: job.request,
    // The schedule that made the job, the time its run was due and the window it pulled; null for a job asked for.
    scheduleId: job.schedule?.id ?? null,
    schedule: job.schedule,
    progress: {
      ...progressView(progress, s.state === 'Completed', runningMs),
      eta: s.state === 'Running' ? estimateCompletion(progress, now.getTime()) : null,
      updatedAt: updatedAt.toISOString(),
      ageMs,
      // Running parts report every couple of seconds; silence past the bound means no worker is moving the job.
      stale: s.state === 'Running' && ageMs > staleAfterMs,
    },
    plan: s.plan,
    timings: {
      createdAt: job.createdAt.toISOString(),
      runStartedAt: s.runStartedAt,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      queuedMs: (startedAt ?? (s.finishedAt ? new Date(s.finishedAt) : now)).getTime() - Date.parse(s.runStartedAt ?? job.createdAt.toISOString()),
      runningMs,
    },
    attempts: Math.max(s.attempts, live?.retry?.attempt ?? 0),
    lastRetryReason: s.state === 'Running' ? live?.retry?.reason ?? null : null,
    worker: s.worker,
    error: s.error,
    files: { expireAt: s.filesExpireAt, expiredAt: s.filesExpiredAt },
    allowedActions: allowedActions('extraction', s.state),
    links: { self: `/v1/jobs/${job.id}`, files: `/v1/jobs/${job.id}/files`, runs: `/v1/jobs/${job.id}/runs` },
  };
}

/** A run (instance) of a job; the current one with what its parts report while it runs. */
export function runView(r: JobRun, current: { snapshot: ExtractionSnapshot; live: ProgressTotals | null } | null, now = new Date()) {
  const live = current && current.snapshot.state === 'Running' ? current.live : null;
  const endedAt = r.endedAt ?? null;
  return {
    run: r.run,
    state: r.state,
    startedAt: r.startedAt.toISOString(),
    endedAt: endedAt?.toISOString() ?? null,
    durationMs: (endedAt ?? now).getTime() - r.startedAt.getTime(),
    records: Math.max(r.records, live?.rows ?? 0),
    bytes: Math.max(r.bytes, live?.bytes ?? 0),
    error: r.error,
  };
}
