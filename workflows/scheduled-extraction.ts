// One run of a schedule (what the Temporal Schedule starts each time it fires): note the run, then run its job
// as an ordinary extraction job, a child under the job's own workflow id (so the API, the queue and the Web UI
// treat it as any other job). Waiting for the child keeps the run open while the job is, which is what the
// schedule's overlap policy looks at; cancelling the run (cancel_previous) cancels the job.
import {
  ApplicationFailure,
  CancellationScope,
  type ChildWorkflowHandle,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { ScheduleActivities } from '../activities/schedule';
import { workflowIdFor, type ExtractionSnapshot } from '../domain/extraction-job';
import type { RunWindow } from '../domain/run-window';
import { extractionJob } from './extraction-job';
import { jobSearchAttributes, SCHEDULED_START_ATTRIBUTE } from './search-attributes';

export interface ScheduledExtractionInput {
  scheduleId: string;
  tenantId: string;
}

export type ScheduledRunResult =
  | { jobId: string; state: ExtractionSnapshot['state']; window: RunWindow }
  | { skipped: string; window: RunWindow | null };

type Started = { skipped: ScheduledRunResult } | { job: ChildWorkflowHandle<typeof extractionJob>; window: RunWindow };

const acts = proxyActivities<ScheduleActivities>({ startToCloseTimeout: '1m', retry: { initialInterval: '1s', maximumInterval: '30s' } });

export async function scheduledExtraction(input: ScheduledExtractionInput): Promise<ScheduledRunResult> {
  const { scheduleId, tenantId } = input;
  const info = workflowInfo();
  const nominal = info.typedSearchAttributes.get(SCHEDULED_START_ATTRIBUTE);
  if (!nominal) throw ApplicationFailure.nonRetryable('a scheduled extraction is started by its schedule (TemporalScheduledStartTime is not set)');
  const jobId = `job_${uuid4().replace(/-/g, '').slice(0, 20)}`;
  const workflowId = workflowIdFor(tenantId, jobId);
  // The job is made and its workflow started whole, or not at all: a run cancelled meanwhile (cancel_previous)
  // cancels the job once it is started, rather than leave a job that never runs.
  const started = await CancellationScope.nonCancellable(async (): Promise<Started> => {
    const opened = await acts.openScheduledRun({
      scheduleId, tenantId, executionId: info.runId, nominalTime: nominal.toISOString(), firstChance: new Date().toISOString(), jobId, workflowId,
    });
    if (!opened.go) return { skipped: { skipped: opened.skipped, window: opened.window } };
    const job = await startChild(extractionJob, {
      workflowId,
      args: [{ jobId, tenantId, request: opened.request, options: opened.options }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: jobSearchAttributes(tenantId, 'extraction', 'Queued'),
      staticSummary: `Extraction ${jobId}: run of schedule ${scheduleId} for ${opened.window.start} – ${opened.window.end}`,
    });
    return { job, window: opened.window };
  });
  if ('skipped' in started) return started.skipped;
  const { job, window } = started;
  const root = CancellationScope.current();
  try {
    const snapshot = await Promise.race([job.result(), root.cancelRequested]);
    return { jobId, state: snapshot.state, window };
  } catch (err) {
    if (!root.consideredCancelled) throw err; // the job failed, or its user cancelled it: the run ends as the job did
    await CancellationScope.nonCancellable(async () => {
      await getExternalWorkflowHandle(workflowId).cancel();
      await job.result().catch(() => undefined);
    });
    throw err;
  }
}
