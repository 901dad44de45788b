import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { SLOT_GRANTED_SIGNAL } from '../../domain/job-queue';
import type { SlotHolder } from '../../store/job-slots';

export type WakeGranted = (holders: readonly SlotHolder[]) => Promise<void>;

// Tells the workflows of newly admitted jobs to start. A workflow that is not there yet (the API made the job
// an instant ago) finds its slot when it first claims; one that has ended is found by the slot sweeper.
export const wakeGranted = (temporal: Client): WakeGranted => async (holders) => {
  await Promise.all(holders.map(async (h) => {
    try {
      await temporal.workflow.getHandle(h.workflowId).signal(SLOT_GRANTED_SIGNAL);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }));
};
