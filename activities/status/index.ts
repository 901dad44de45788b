import type { ExtractionSnapshot } from '../../domain/extraction-job';
import type { JobStore } from '../../store/jobs';

// Run as local activities: the job's status in Sluice's database follows every transition of the workflow.
export const createStatusActivities = (jobs: JobStore) => ({
  async recordSnapshot(snapshot: ExtractionSnapshot): Promise<void> {
    await jobs.recordSnapshot(snapshot);
  },
});

export type StatusActivities = ReturnType<typeof createStatusActivities>;
