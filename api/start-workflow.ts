import type { Client } from '@temporalio/client';
import type { ExtractionInput, ExtractionOptions } from '../domain/extraction-job';
import { fileExtension } from '../domain/plan';
import type { JobRecord } from '../store/jobs';
import { extractionWorkflow } from '../workflows/extraction';
import { JOB_KIND_ATTRIBUTE, JOB_STATE_ATTRIBUTE, TENANT_ATTRIBUTE } from '../workflows/search-attributes';
import { Problem } from './problem';

export const workflowIdFor = (tenantId: string, jobId: string) => `sluice/${tenantId}/extraction/${jobId}`;

// Starts the job's workflow: for a new job, and again (same workflow id, a new run) to restart a finished one.
export async function startExtractionWorkflow(temporal: Client, taskQueue: string, options: ExtractionOptions, job: JobRecord): Promise<void> {
  const { id: jobId, tenantId, request } = job;
  const input: ExtractionInput = { jobId, tenantId, request, options };
  const what = request.table ? `table ${request.table}` : 'a query';
  try {
    await temporal.workflow.start(extractionWorkflow, {
      taskQueue,
      workflowId: job.workflowId,
      args: [input],
      typedSearchAttributes: [
        { key: TENANT_ATTRIBUTE, value: tenantId },
        { key: JOB_KIND_ATTRIBUTE, value: 'extraction' },
        { key: JOB_STATE_ATTRIBUTE, value: 'Queued' },
      ],
      staticSummary: `Extraction ${jobId}: ${what} from source ${request.source} to ${fileExtension(request.format, request.compression)}`,
    });
  } catch (err) {
    throw new Problem(503, 'Scheduler unavailable', `the job could not be started: ${(err as Error).message}`, { retryable: true });
  }
}
