// For an active job, the workflow's own progress (query) plus what its activities in flight report: rows of
// parts not finished yet (their latest heartbeats) and retries under way (attempt and last failure). Null when
// Temporal does not answer quickly; the caller then shows the mirrored record.
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { ExtractionSnapshot } from '../domain/extraction-job';
import type { PartHeartbeat } from '../activities/extract/heartbeat';
import { progressQuery } from '../workflows/extraction';

export interface LiveStatus {
  snapshot: ExtractionSnapshot;
  /** The latest retry of an activity in flight, if one is retrying. */
  retry: { attempt: number; reason: string } | null;
}

export async function liveStatus(client: Client, workflowId: string): Promise<LiveStatus | null> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await client.withDeadline(Date.now() + 3000, async () => {
      const [snapshot, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
      let retry: LiveStatus['retry'] = null;
      for (const activity of description.raw.pendingActivities ?? []) {
        const payload = activity.heartbeatDetails?.payloads?.[0];
        if (payload) {
          const beat = defaultPayloadConverter.fromPayload<Partial<PartHeartbeat>>(payload);
          snapshot.progress.rowsDone += beat?.rows ?? 0;
          snapshot.progress.bytesDone += beat?.bytes ?? 0;
        }
        const attempt = activity.attempt ?? 1;
        if (attempt > 1 && activity.lastFailure?.message && attempt > (retry?.attempt ?? 0)) retry = { attempt, reason: activity.lastFailure.message };
      }
      return { snapshot, retry };
    });
  } catch {
    return null;
  }
}
