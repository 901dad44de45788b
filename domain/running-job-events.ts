// The events a running extraction job makes besides its end (job-events.ts): `job.part_ready` once per part file
// finished in storage (its dedupe key: job, run, part), and `job.progress`, whose figures are the ones the API's
// job view shows (percent, rates, ETA); the store lets one progress event through per interval. Pure.
import type { ExtractionSnapshot, PartFile } from './extraction-job';
import { activeMsAt, estimateCompletion, liveProgress, progressView, type LiveCounts } from './progress';

export interface PartReadyEvent {
  dedupeKey: string;
  payload: Record<string, unknown>;
}

const fileNameOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);

/** `part` is the part's index in the manifest (from 0); the file's name is the one its download gets. */
export function partReadyEvent(ref: { jobId: string; run: number }, part: Pick<PartFile, 'index' | 'key' | 'rows' | 'bytes' | 'sha256'>): PartReadyEvent {
  return {
    dedupeKey: `job.part_ready/${ref.jobId}/${ref.run}/${part.index}`,
    payload: {
      jobId: ref.jobId, run: ref.run, part: part.index, fileName: fileNameOf(part.key), rows: part.rows, bytes: part.bytes, sha256: part.sha256,
    },
  };
}

/** A running job's progress: the workflow's counts with what its parts report, as GET /v1/jobs/:id shows them. */
export function progressEventPayload(s: ExtractionSnapshot, live: LiveCounts | null, nowMs: number): Record<string, unknown> {
  const progress = liveProgress(s, live);
  const runningMs = s.startedAt ? activeMsAt(progress, nowMs) : null;
  const view = progressView(progress, s.state === 'Completed', runningMs);
  const eta = s.state === 'Running' ? estimateCompletion(progress, nowMs) : null;
  return {
    jobId: s.jobId, run: s.run, state: s.state,
    rows: view.rowsDone, rowsEstimated: view.rowsEstimated, bytes: view.bytesDone,
    parts: view.partsTotal, partsDone: view.partsDone, percent: view.percent,
    rowsPerSecond: view.rowsPerSecond, bytesPerSecond: view.bytesPerSecond,
    etaSeconds: eta?.remainingSeconds ?? null, etaAt: eta?.at ?? null,
  };
}
