// The API's only way to change a job: start its workflow, or send it an action as an update. An action on an
// ended job (its execution is closed) starts a new execution under the same id with the job's last snapshot,
// and the update goes to it (update-with-start): one path whatever the job's state, decided by the workflow.
import {
  isGrpcServiceError,
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowUpdateStage,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ExtractionOptions, ExtractionSnapshot } from '../domain/extraction-job';
import { allowedActions, type ExtractionState } from '../domain/lifecycle';
import { fileExtension } from '../domain/plan';
import type { JobRecord } from '../store/jobs';
import { ACTION_NOT_ALLOWED, actionUpdates, extractionJob, type ExtractionAction } from '../workflows/extraction-job';
import { JOB_KIND_ATTRIBUTE, JOB_STATE_ATTRIBUTE, TENANT_ATTRIBUTE } from '../workflows/search-attributes';
import { Problem } from './problem';

export interface JobControl {
  temporal: Client;
  taskQueue: string;
  options: ExtractionOptions;
}

export const workflowIdFor = (tenantId: string, jobId: string) => `sluice/${tenantId}/extraction/${jobId}`;

// An unreachable Temporal fails within a few seconds (api/temporal-client.ts); these bound the rest.
const START_MS = 30_000; // a start on a loaded server
const ACCEPT_MS = 5000; // for an action to be accepted: a worker runs its validator
const SETTLE_MS = 30_000; // for an accepted action to take effect; past it the answer is 202

const RETRY_AFTER_SECONDS = 5;
const unavailable = (what: string, err: unknown) =>
  new Problem(503, 'Scheduler unavailable', `${what}: Temporal did not answer (${(err as Error).message})`, { retryable: true },
    { 'Retry-After': String(RETRY_AFTER_SECONDS) });

const unreachable = (err: unknown) =>
  err instanceof ServiceError || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcServiceError(err);

function startOptions(c: JobControl, job: JobRecord, state: ExtractionState) {
  const { id: jobId, tenantId, request } = job;
  const what = request.table ? `table ${request.table}` : 'a query';
  return {
    taskQueue: c.taskQueue,
    workflowId: job.workflowId,
    typedSearchAttributes: [
      { key: TENANT_ATTRIBUTE, value: tenantId },
      { key: JOB_KIND_ATTRIBUTE, value: 'extraction' },
      { key: JOB_STATE_ATTRIBUTE, value: state },
    ],
    staticSummary: `Extraction ${jobId}: ${what} from source ${request.source} to ${fileExtension(request.format, request.compression)}`,
  };
}

/** Starts a new job's workflow; a 503 problem when Temporal cannot be reached in time. */
export async function startJob(c: JobControl, job: JobRecord): Promise<void> {
  try {
    await c.temporal.withDeadline(Date.now() + START_MS, () =>
      c.temporal.workflow.start(extractionJob, {
        ...startOptions(c, job, job.snapshot.state),
        args: [{ jobId: job.id, tenantId: job.tenantId, request: job.request, options: c.options }],
      }));
  } catch (err) {
    if (unreachable(err)) throw unavailable('the job could not be started', err);
    throw err;
  }
}

/**
 * Sends an action; resolves to the job's next state, or null when the action was accepted but has not taken
 * effect within the bound (the caller answers 202). A refusal is a 409 problem naming the allowed actions.
 */
export async function actOn(c: JobControl, job: JobRecord, action: ExtractionAction): Promise<ExtractionSnapshot | null> {
  const reopen = new WithStartWorkflowOperation(extractionJob, {
    ...startOptions(c, job, job.snapshot.state),
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ jobId: job.id, tenantId: job.tenantId, request: job.request, options: c.options, carry: { snapshot: job.snapshot, plan: null, finishedParts: [] } }],
  });
  let update;
  try {
    update = await c.temporal.withDeadline(Date.now() + ACCEPT_MS, () =>
      c.temporal.workflow.startUpdateWithStart(actionUpdates[action], { waitForStage: WorkflowUpdateStage.ACCEPTED, startWorkflowOperation: reopen }));
  } catch (err) {
    const refused = refusal(job, action, err);
    if (refused) throw refused;
    if (unreachable(err)) throw unavailable(`${action} could not be sent`, err);
    throw err;
  }
  try {
    return await c.temporal.withDeadline(Date.now() + SETTLE_MS, () => update.result());
  } catch (err) {
    const refused = refusal(job, action, err);
    if (refused) throw refused;
    if (unreachable(err)) return null;
    throw err;
  }
}

function refusal(job: JobRecord, action: ExtractionAction, err: unknown): Problem | null {
  if (!(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === ACTION_NOT_ALLOWED)) return null;
  const { state } = err.cause.details?.[0] as { state: ExtractionState };
  return new Problem(409, 'Action not allowed', `${action} is not allowed while job ${job.id} is ${state}`, { state, allowedActions: allowedActions('extraction', state) });
}
