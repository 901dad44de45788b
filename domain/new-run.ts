// A new run of a job: nothing done yet, waiting for a slot. Without zod: workflow code builds it, and the schema
// (extraction-job.ts) stays out of the workflow bundle.
import type { ExtractionProgress, ExtractionSnapshot } from './extraction-job';

export const emptyProgress = (): ExtractionProgress => ({
  rowsDone: 0, rowsEstimated: null, bytesDone: 0, partsDone: 0, partsTotal: null, activeMs: 0, runningSince: null, samples: [],
});

export const newRun = (jobId: string, run: number, at: string): ExtractionSnapshot => ({
  jobId, state: 'Queued', run, runStartedAt: at, progress: emptyProgress(), plan: null, error: null, attempts: 0,
  worker: { cpuMs: 0, peakRssBytes: 0 }, startedAt: null, finishedAt: null, manifest: null, filesExpireAt: null, filesExpiredAt: null,
});
