// Deletes one run's files when they expire, on a durable timer of its own, so the job's execution can end when
// the job does. It touches only that run's files and records the expiry only while that run is the job's
// latest: a restart or a delete before then leaves it nothing to do (they also cancel it).
import { CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { ExtractActivities } from '../activities/extract';
import type { StatusActivities } from '../activities/status';

export interface FileExpiryInput {
  tenantId: string;
  jobId: string;
  run: number;
  expireAt: string;
}

export const expiryWorkflowId = (jobWorkflowId: string, run: number) => `${jobWorkflowId}/files/run-${run}`;

const files = proxyActivities<Pick<ExtractActivities, 'deleteJobFiles'>>({ startToCloseTimeout: '10m', retry: { maximumInterval: '5m' } });
const status = proxyActivities<Pick<StatusActivities, 'markFilesExpired'>>({ startToCloseTimeout: '1m', retry: { maximumInterval: '5m' } });

export async function fileExpiryWorkflow(input: FileExpiryInput): Promise<void> {
  try {
    await sleep(Math.max(0, Date.parse(input.expireAt) - Date.now()));
  } catch (err) {
    if (isCancellation(err)) return; // the files were discarded by a restart or a delete
    throw err;
  }
  await CancellationScope.nonCancellable(async () => {
    await files.deleteJobFiles({ tenantId: input.tenantId, jobId: input.jobId, run: input.run });
    await status.markFilesExpired({ jobId: input.jobId, run: input.run, at: new Date().toISOString() });
  });
}
