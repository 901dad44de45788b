// The change stream of one sync instance: one long activity per spell (design.md §4) that reads the slot from
// the target's watermark, applies, acknowledges, writes heartbeat messages into the source WAL and samples the
// six metrics. It heartbeats the applied LSN; a retry resumes from the watermark, which is what counts.
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { slotHealth, SyncSetupError } from '../../connectors/postgres/sync/source-setup';
import { readShapes, type TableShape } from '../../connectors/postgres/sync/table-shape';
import { readWatermark } from '../../connectors/postgres/sync/target-setup';
import { compareLsn, WalReader } from '../../connectors/postgres/sync/wal-reader';
import { syncErrors } from '../../domain/sync-errors';
import { publicationName, slotName } from '../../domain/sync-job';
import { clockOffsetMs, latencies, SlidingRate } from '../../domain/sync-metrics';
import type { SyncRequest } from '../../domain/sync-request';
import { ChangeStream } from './change-stream';
import { connectionPool, withClient, type SyncDeps } from './deps';
import { toSyncFailure } from './failure';

export interface StreamInput {
  jobId: string;
  tenantId: string;
  run: number;
  request: SyncRequest;
  tables: string[];
  /** Snapshot rows and bytes of this instance, counted into its records and bytes. */
  copied: { rows: number; bytes: number };
  spellSeconds: number;
}

const HEARTBEAT_MS = 1000;
const CLOCK_CHECK_MS = 60_000;

export async function streamChanges(deps: SyncDeps, input: StreamInput): Promise<{ appliedLsn: string }> {
  const ctx = Context.current();
  const { jobId, tenantId, run, request } = input;
  const timers: NodeJS.Timeout[] = [];
  let stream: ChangeStream | null = null;
  let reader: WalReader | null = null;
  try {
    const source = await connectionPool(deps, tenantId, request.source, 'source');
    const target = await connectionPool(deps, tenantId, request.target, 'target');
    const slot = slotName(jobId);
    const health = await withClient(source.pool, (c) => slotHealth(c, slot));
    if (!health.exists || health.walStatus === 'lost') throw new SyncSetupError(syncErrors.slotLost(slot));
    const { watermark, shapes } = await withClient(target.pool, async (c) => ({
      watermark: await readWatermark(c, jobId),
      shapes: await readShapes(c, input.tables),
    }));
    if (!watermark || watermark.run !== run) throw new SyncSetupError(syncErrors.slotLost(slot));
    const missing = [...shapes].filter(([, s]) => !s).map(([t]) => t);
    if (missing.length) throw new SyncSetupError(syncErrors.tablesMissing(missing, 'target'));

    const s = new ChangeStream(target.pool, source.pool, { jobId, run }, shapes as Map<string, TableShape>, watermark, request.options.batchSize);
    stream = s;
    const r = new WalReader({
      url: source.url, slot, publication: publicationName(jobId), startLsn: watermark.lsn,
      onMessage: (msg) => s.onMessage(msg),
      onKeepalive: (walEnd, reply) => {
        // Nothing received is waiting: everything the server sent up to walEnd is applied (or not ours).
        if (s.idle && compareLsn(walEnd, s.position.lsn) > 0) void r.acknowledge(walEnd, reply).catch(() => undefined);
        else if (reply) void r.acknowledge(s.position.lsn, true).catch(() => undefined);
      },
    });
    reader = r;
    s.attach(r);

    let offsetMs = 0;
    const measureClock = async () => {
      const sent = Date.now();
      const res = await source.pool.query<{ ms: string }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::text AS ms');
      offsetMs = clockOffsetMs(sent, Number(res.rows[0].ms), Date.now());
    };
    await measureClock();
    const rate = new SlidingRate();
    const sample = async () => {
      const now = Date.now();
      const p = s.position;
      const records = input.copied.rows + p.records;
      const bytes = input.copied.bytes + p.bytes;
      rate.add(now, records, bytes);
      const { idleMs, emitMs } = latencies({
        nowMs: now, clockOffsetMs: offsetMs, lastAppliedCommitMs: p.lastCommitMs, lastDataCommitMs: p.lastDataCommitMs,
        lastDataAppliedAtMs: p.lastDataAppliedAtMs, oldestWaitingDataCommitMs: s.oldestWaitingDataMs,
      });
      const slotNow = await withClient(source.pool, (c) => slotHealth(c, slot)).catch(() => null);
      await deps.metrics.record({
        jobId, run, at: new Date(now), idleMs, emitMs, records, bytes, ...rate.rates(),
        appliedLsn: p.lsn, appliedCommitTime: p.lastCommitMs === null ? null : new Date(p.lastCommitMs), slot: slotNow,
      });
    };
    const every = (ms: number, fn: () => Promise<unknown> | void, what: string) =>
      timers.push(setInterval(() => void Promise.resolve().then(fn).catch((err) => deps.log.warn({ err, jobId }, what)), ms));
    every(HEARTBEAT_MS, () => ctx.heartbeat({ appliedLsn: s.position.lsn }), 'heartbeat failed');
    const heartbeatMessage = () => source.pool.query(`SELECT pg_logical_emit_message(true, 'sluice', $1)`, [jobId]);
    // One at once: until a first commit is applied, a new stream has no Idle Time to report.
    void heartbeatMessage().catch((err) => deps.log.warn({ err, jobId }, 'heartbeat message not written'));
    every(request.options.heartbeatIntervalSeconds * 1000, heartbeatMessage, 'heartbeat message not written');
    every(deps.metricsIntervalMs, sample, 'metrics sample not recorded');
    every(CLOCK_CHECK_MS, measureClock, 'clock offset not measured');

    const stopped = new Promise<'spell' | 'cancelled'>((resolve) => {
      timers.push(setTimeout(() => resolve('spell'), input.spellSeconds * 1000));
      ctx.cancellationSignal.addEventListener('abort', () => resolve('cancelled'), { once: true });
    });
    const why = await Promise.race([r.run().then(() => 'ended' as const), stopped]);
    await r.stop();
    await sample().catch(() => undefined);
    if (why === 'cancelled') throw new CancelledFailure('the stream was stopped');
    return { appliedLsn: s.position.lsn };
  } catch (err) {
    await reader?.stop().catch(() => undefined);
    throw toSyncFailure(err);
  } finally {
    for (const t of timers) clearInterval(t);
    await stream?.close();
  }
}
