// The JSON a client sees for a job.
import type { ExtractionSnapshot } from '../domain/extraction-job';
import { allowedActions } from '../domain/extraction-states';
import { activeMsAt, emptyProgress, estimateCompletion, progressView } from '../domain/progress';
import type { QueuePosition } from '../store/job-slots';
import type { JobRecord } from '../store/jobs';
import type { LiveStatus } from './live-status';

export interface JobViewExtras {
  retry?: LiveStatus['retry'];
  /** Where a Queued job stands in the queue for a running slot. */
  queue?: QueuePosition | null;
  now?: Date;
}

export function jobView(job: JobRecord, live: ExtractionSnapshot | null, { retry = null, queue = null, now = new Date() }: JobViewExtras = {}) {
  const state = live?.state ?? job.state;
  const startedAt = live?.startedAt ? new Date(live.startedAt) : job.startedAt;
  const finishedAt = live?.finishedAt ? new Date(live.finishedAt) : job.finishedAt;
  // Records written before a field existed get its empty value.
  const progress = { ...emptyProgress(), ...(live?.progress ?? job.progress) };
  const runningMs = startedAt ? activeMsAt(progress, now.getTime()) : null; // pauses and queueing excluded
  return {
    id: job.id,
    kind: job.kind,
    state,
    queue: state === 'Queued' ? queue : null,
    request: job.request,
    progress: { ...progressView(progress, state === 'Completed', runningMs), eta: state === 'Running' ? estimateCompletion(progress, now.getTime()) : null },
    plan: live?.plan ?? job.plan,
    timings: {
      createdAt: job.createdAt.toISOString(),
      startedAt: startedAt?.toISOString() ?? null,
      finishedAt: finishedAt?.toISOString() ?? null,
      queuedMs: (startedAt ?? finishedAt ?? now).getTime() - job.createdAt.getTime(),
      runningMs,
    },
    attempts: Math.max(live?.attempts ?? job.attempts, retry?.attempt ?? 0),
    lastRetryReason: retry?.reason ?? null,
    worker: live?.worker ?? job.worker ?? { cpuMs: 0, peakRssBytes: 0 },
    error: live?.error ?? job.error,
    files: {
      expireAt: (live?.filesExpireAt ? new Date(live.filesExpireAt) : job.filesExpireAt)?.toISOString() ?? null,
      expiredAt: (live?.filesExpiredAt ? new Date(live.filesExpiredAt) : job.filesExpiredAt)?.toISOString() ?? null,
    },
    allowedActions: allowedActions(state),
    links: { self: `/v1/jobs/${job.id}`, files: `/v1/jobs/${job.id}/files` },
  };
}
