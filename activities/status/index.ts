import type { Client } from '@temporalio/client';
import type { ExtractionSnapshot } from '../../domain/extraction-job';
import type { JobStore } from '../../store/jobs';

// The job's status in Sluice's database follows every transition of its workflow (run as local activities);
// `recorded` hears of each snapshot once it is stored (the worker's metrics).
export const createStatusActivities = (jobs: JobStore, temporal: Client, recorded: (snapshot: ExtractionSnapshot) => void = () => undefined) => ({
  async recordSnapshot(snapshot: ExtractionSnapshot): Promise<void> {
    await jobs.recordSnapshot(snapshot);
    recorded(snapshot);
  },
  /** Removes the job, its runs and its queue place. */
  async deleteJob(job: { tenantId: string; jobId: string }): Promise<void> {
    await jobs.delete(job.tenantId, job.jobId);
  },
  /**
   * Asks Temporal to cancel an execution: how a job cancelled by its user ends its own execution as cancelled
   * (a workflow cannot request its own cancellation).
   */
  async cancelExecution(execution: { workflowId: string; runId: string }): Promise<void> {
    await temporal.workflow.getHandle(execution.workflowId, execution.runId).cancel();
  },
  async markFilesExpired(expiry: { jobId: string; run: number; at: string }): Promise<void> {
    await jobs.markFilesExpired(expiry.jobId, expiry.run, expiry.at);
  },
});

export type StatusActivities = ReturnType<typeof createStatusActivities>;
