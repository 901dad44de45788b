// A running job's job.progress event: its snapshot and what its parts report, in the figures of the API's job
// view. Any part of the job may try; the store lets one through per interval (JobStore.recordProgressEvent).
import { progressEventPayload } from '../../domain/running-job-events';
import type { ExtractDeps } from './deps';
import type { RunRef } from './read';

export async function writeProgressEvent(deps: ExtractDeps, ref: RunRef): Promise<void> {
  const s = (await deps.jobs.get(ref.tenantId, ref.jobId))?.snapshot;
  if (!s || s.run !== ref.run || s.state !== 'Running') return;
  const live = await deps.progress.totals(ref.jobId, ref.run);
  await deps.jobs.recordProgressEvent(ref.jobId, ref.run, deps.progressEventSeconds, progressEventPayload(s, live, Date.now()));
}
