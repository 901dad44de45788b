// A sync's status in Sluice's database follows every transition of its workflow (run as local activities).
import type { SyncSnapshot } from '../../domain/sync-job';
import type { SyncStore } from '../../store/syncs';

export type SyncStatusStore = Pick<SyncStore, 'recordSnapshot' | 'delete'>;

export const createSyncStatusActivities = (syncs: SyncStatusStore) => ({
  async recordSyncSnapshot(snapshot: SyncSnapshot): Promise<void> {
    await syncs.recordSnapshot(snapshot);
  },
  /** Removes the sync, its instances and its metrics. */
  async deleteSyncJob(job: { tenantId: string; jobId: string }): Promise<void> {
    await syncs.delete(job.tenantId, job.jobId);
  },
});

export type SyncStatusActivities = ReturnType<typeof createSyncStatusActivities>;
