import type { SlotStore } from '../../store/job-slots';
import type { WakeGranted } from './wake';

export interface SlotClaim {
  jobId: string;
  tenantId: string;
  workflowId: string;
}

// Run as local activities by the job's workflow. Both are idempotent: a retry claims or releases again.
export const createSlotActivities = (slots: SlotStore, wake: WakeGranted) => ({
  async claimSlot(claim: SlotClaim): Promise<{ granted: boolean }> {
    const { granted, admitted } = await slots.claim(claim);
    await wake(admitted.filter((a) => a.jobId !== claim.jobId));
    return { granted };
  },
  async releaseSlot(jobId: string): Promise<void> {
    await wake(await slots.release(jobId));
  },
});

export type SlotActivities = ReturnType<typeof createSlotActivities>;
