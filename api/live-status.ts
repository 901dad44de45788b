// For an active job, the workflow's own progress (query) plus rows of parts still in flight (their latest
// heartbeats). Falls back to the mirrored record when Temporal does not answer quickly.
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { ExtractionSnapshot } from '../domain/extraction-job';
import type { PartHeartbeat } from '../activities/extract/heartbeat';
import { progressQuery } from '../workflows/extraction';

export async function liveSnapshot(client: Client, workflowId: string): Promise<ExtractionSnapshot | null> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await client.withDeadline(Date.now() + 3000, async () => {
      const [snapshot, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
      for (const activity of description.raw.pendingActivities ?? []) {
        const payload = activity.heartbeatDetails?.payloads?.[0];
        if (!payload) continue;
        const beat = defaultPayloadConverter.fromPayload<Partial<PartHeartbeat>>(payload);
        snapshot.progress.rowsDone += beat?.rows ?? 0;
        snapshot.progress.bytesDone += beat?.bytes ?? 0;
      }
      return snapshot;
    });
  } catch {
    return null;
  }
}
