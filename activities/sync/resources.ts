// Slot health while a sync is paused, and what deleting a sync removes from its source and target.
import { dropPublication, dropSlot, slotHealth } from '../../connectors/postgres/sync/source-setup';
import { dropWatermark } from '../../connectors/postgres/sync/target-setup';
import { publicationName, slotName } from '../../domain/sync-job';
import { connectionPool, withClient, type SyncDeps } from './deps';
import { toSyncFailure } from './failure';

/** A sample with the slot's retained WAL; the stream's totals and applied position carry over, Idle Time grows. */
export async function sampleSyncSlot(deps: SyncDeps, input: { jobId: string; tenantId: string; run: number; source: string }): Promise<void> {
  try {
    const source = await connectionPool(deps, input.tenantId, input.source, 'source');
    const slot = await withClient(source.pool, (c) => slotHealth(c, slotName(input.jobId)));
    const last = await deps.metrics.latest(input.jobId);
    const same = last?.run === input.run ? last : null;
    const at = new Date();
    await deps.metrics.record({
      jobId: input.jobId, run: input.run, at,
      idleMs: same?.appliedCommitTime ? Math.max(0, at.getTime() - same.appliedCommitTime.getTime()) : null,
      emitMs: same?.emitMs ?? null, records: same?.records ?? 0, bytes: same?.bytes ?? 0, rps: 0, bps: 0,
      appliedLsn: same?.appliedLsn ?? null, appliedCommitTime: same?.appliedCommitTime ?? null, slot,
    });
  } catch (err) {
    throw toSyncFailure(err);
  }
}

/**
 * Drops the slot and publication Sluice made on the source and the sync's watermark row on the target. What
 * cannot be reached (a connection gone, a server down) is reported, not retried forever: the sync is deleted
 * either way, and the names say what to drop by hand.
 */
export async function dropSyncResources(deps: SyncDeps, input: { jobId: string; tenantId: string; source: string; target: string }): Promise<{ left: string[] }> {
  const left: string[] = [];
  const slot = slotName(input.jobId);
  const publication = publicationName(input.jobId);
  try {
    const source = await connectionPool(deps, input.tenantId, input.source, 'source');
    await withClient(source.pool, async (c) => {
      await dropSlot(c, slot);
      await dropPublication(c, publication);
    });
  } catch (err) {
    deps.log.warn({ err, jobId: input.jobId }, 'slot and publication not dropped');
    left.push(`replication slot ${slot}`, `publication ${publication}`);
  }
  try {
    const target = await connectionPool(deps, input.tenantId, input.target, 'target');
    await withClient(target.pool, (c) => dropWatermark(c, input.jobId));
  } catch (err) {
    deps.log.warn({ err, jobId: input.jobId }, 'watermark not removed');
    left.push(`watermark row ${input.jobId} in _sluice.sync_watermarks`);
  }
  return { left };
}
