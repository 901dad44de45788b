// The notification a status change makes, if any: an extraction run that ended is `job.completed`, `job.failed`
// or `job.cancelled`, once per run and state (its dedupe key). Pure.
import type { ExtractionSnapshot } from './extraction-job';
import type { NotificationEvent } from './notification-events';

export interface JobEvent {
  type: NotificationEvent;
  subject: string;
  dedupeKey: string;
  payload: Record<string, unknown>;
}

const ENDED: Partial<Record<ExtractionSnapshot['state'], NotificationEvent>> = {
  Completed: 'job.completed',
  Failed: 'job.failed',
  Cancelled: 'job.cancelled',
};

export function extractionEventOf(s: ExtractionSnapshot): JobEvent | null {
  const type = ENDED[s.state];
  if (!type) return null;
  return {
    type,
    subject: s.jobId,
    dedupeKey: `${s.jobId}/${s.run}/${s.state}`,
    payload: {
      jobId: s.jobId, run: s.run, state: s.state, rows: s.progress.rowsDone, bytes: s.progress.bytesDone,
      startedAt: s.startedAt ?? null, finishedAt: s.finishedAt ?? null, error: s.error,
      files: s.manifest ? { parts: s.manifest.parts.length, expiresAt: s.filesExpireAt ?? null } : null,
    },
  };
}
