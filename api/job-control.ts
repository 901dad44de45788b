// The API's only way to change a job: start its workflow, or send it an action as an update. An action on an
// ended job (its execution is closed) starts a new execution under the same id with the job's last snapshot,
// and the update goes to it (update-with-start): one path whatever the job's state, decided by the workflow.
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { ExtractionOptions, ExtractionSnapshot } from '../domain/extraction-job';
import type { ExtractionState } from '../domain/lifecycle';
import { fileExtension } from '../domain/plan';
import type { JobRecord } from '../store/jobs';
import { actionUpdates, extractionJob, type ExtractionAction } from '../workflows/extraction-job';
import { jobStartOptions, sendAction, callTemporal } from './workflow-calls';

export interface JobControl {
  temporal: Client;
  taskQueue: string;
  options: ExtractionOptions;
}

export { workflowIdFor } from '../domain/extraction-job';

function startOptions(c: JobControl, job: JobRecord, state: ExtractionState) {
  const { request } = job;
  const what = request.table ? `table ${request.table}` : 'a query';
  const summary = `Extraction ${job.id}: ${what} from source ${request.source} to ${fileExtension(request.format, request.compression)}`;
  return jobStartOptions({ taskQueue: c.taskQueue, workflowId: job.workflowId, tenantId: job.tenantId, kind: 'extraction', state, summary });
}

/** Starts a new job's workflow; a 503 problem when Temporal cannot be reached in time. */
export async function startJob(c: JobControl, job: JobRecord): Promise<void> {
  await callTemporal(c.temporal, 'the job could not be started', () =>
    c.temporal.workflow.start(extractionJob, {
      ...startOptions(c, job, job.snapshot.state),
      args: [{ jobId: job.id, tenantId: job.tenantId, request: job.request, options: c.options }],
    }));
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
  return sendAction({ temporal: c.temporal, kind: 'extraction', subject: `job ${job.id}`, action, update: actionUpdates[action], reopen });
}
