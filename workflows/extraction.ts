// One extraction job: plan → parts in parallel (or one stream cut into parts) → manifest. Rows never pass
// through here: activities return keys, counts and checksums. Status is mirrored to Sluice's database on
// every transition, so the API and lists do not depend on Temporal visibility.
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ExtractActivities } from '../activities/extract';
import type { StatusActivities } from '../activities/status';
import type { JobError } from '../domain/errors';
import type { ExtractionInput, ExtractionSnapshot, PartResult } from '../domain/extraction-job';
import { applyAction, type ExtractionState } from '../domain/extraction-states';
import type { ExtractionPlan } from '../domain/plan';
import { emptyProgress } from '../domain/progress';
import { JOB_STATE_ATTRIBUTE } from './search-attributes';

export const cancelSignal = defineSignal('cancel');
export const progressQuery = defineQuery<ExtractionSnapshot>('progress');

const status = proxyLocalActivities<StatusActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s' } });

export async function extractionWorkflow(input: ExtractionInput): Promise<ExtractionSnapshot> {
  const acts = proxyActivities<ExtractActivities>({
    startToCloseTimeout: '24h',
    heartbeatTimeout: `${input.options.heartbeatTimeoutSeconds}s`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: input.options.maxAttempts },
  });
  const { jobId, tenantId, request } = input;
  const snap: ExtractionSnapshot = {
    jobId, state: 'Queued', progress: emptyProgress(), plan: null, error: null, attempts: 0, startedAt: null, finishedAt: null, manifest: null,
  };
  const now = () => new Date().toISOString(); // workflow time: deterministic on replay
  const work = new CancellationScope();
  let cancelRequested = false;

  setHandler(progressQuery, () => snap);
  setHandler(cancelSignal, () => {
    if (cancelRequested || !applyAction(snap.state, 'cancel').ok) return;
    cancelRequested = true;
    work.cancel();
  });

  async function enter(state: ExtractionState): Promise<void> {
    snap.state = state;
    upsertSearchAttributes([{ key: JOB_STATE_ATTRIBUTE, value: state }]);
    setCurrentDetails(details(snap));
    await status.recordSnapshot(snap);
  }

  const partDone = (r: PartResult) => {
    snap.progress.rowsDone += r.rows;
    snap.progress.bytesDone += r.bytes;
    snap.progress.partsDone += 1;
    snap.attempts = Math.max(snap.attempts, r.attempt);
  };

  async function runParts(plan: ExtractionPlan): Promise<PartResult[]> {
    const read = { jobId, tenantId, source: request.source, format: request.format, compression: request.compression, timeZone: request.timeZone, select: plan.select, strategy: plan.strategy };
    if (plan.strategy === 'single-stream') {
      const parts = await acts.extractStream({ ...read, partRows: input.options.partRows });
      parts.forEach(partDone);
      snap.progress.partsTotal = parts.length;
      return parts;
    }
    const results: PartResult[] = [];
    let next = 0;
    const lane = async () => {
      while (next < plan.ranges.length) {
        const index = next++;
        results[index] = await acts.extractPart({ ...read, index, range: plan.ranges[index] });
        partDone(results[index]);
      }
    };
    // A part that fails for good fails the job: stop the others rather than let them run on.
    await CancellationScope.cancellable(async () => {
      try {
        await Promise.all(Array.from({ length: Math.min(input.options.parallelism, plan.ranges.length) }, lane));
      } catch (err) {
        CancellationScope.current().cancel();
        throw err;
      }
    });
    return results;
  }

  await enter('Queued');
  try {
    await work.run(async () => {
      const plan = await acts.planExtraction(input);
      snap.plan = { strategy: plan.strategy, estimatedRows: plan.estimatedRows, estimatedBytes: plan.estimatedBytes, parts: plan.ranges.length };
      snap.progress.rowsEstimated = plan.estimatedRows;
      snap.progress.partsTotal = plan.strategy === 'single-stream' ? null : plan.ranges.length;
      snap.startedAt = now();
      await enter('Running');
      const parts = await runParts(plan);
      snap.manifest = await acts.writeManifest({ job: input, columns: plan.select.columns, parts, complete: true, createdAt: now() });
    });
    snap.finishedAt = now();
    await enter('Completed');
    return snap;
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        await acts.deleteJobFiles({ tenantId, jobId });
        snap.finishedAt = now();
        await enter('Cancelled');
      });
      if (!cancelRequested) throw err; // a Temporal cancel request: the execution shows as cancelled too
      return snap;
    }
    snap.error = jobErrorOf(err);
    snap.attempts = Math.max(snap.attempts, failedAttemptOf(err));
    snap.finishedAt = now();
    await enter('Failed');
    throw ApplicationFailure.create({ type: snap.error.code, message: snap.error.message, nonRetryable: true, details: [snap.error] });
  }
}

function jobErrorOf(err: unknown): JobError {
  let cause: unknown = err;
  while (cause instanceof Error) {
    if (cause instanceof ApplicationFailure && cause.details?.length) return cause.details[0] as JobError;
    cause = cause.cause;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal_error', message, sqlstate: null, retryable: true, suggestion: 'Restart the job; if it fails again, report it with the job id.' };
}

// Activities put their attempt number beside the JobError (activities/extract/failure.ts).
function failedAttemptOf(err: unknown): number {
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) {
    const attempt = cause instanceof ApplicationFailure ? (cause.details?.[1] as { attempt?: number } | undefined)?.attempt : undefined;
    if (attempt) return attempt;
  }
  return 0;
}

function details(s: ExtractionSnapshot): string {
  const p = s.progress;
  const lines = [`**${s.state}** · ${p.rowsDone.toLocaleString('en-US')} rows · ${p.partsDone}/${p.partsTotal ?? '?'} parts`];
  if (s.error) lines.push(`${s.error.code}: ${s.error.message}`, s.error.suggestion);
  return lines.join('\n\n');
}
