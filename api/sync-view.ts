// The JSON a client sees for a sync: its snapshot (as its workflow last recorded it) with its latest metrics
// samples, derived for reading. No Temporal call: with the worker or Temporal down, a sync shows what it last
// recorded, marked stale with its age.
import { allowedActions } from '../domain/lifecycle';
import { copiedTotals, streams } from '../domain/sync-job';
import type { SyncMetricsSample } from '../domain/sync-metrics';
import { qualified } from '../domain/sync-request';
import { syncWarnings } from '../domain/sync-warnings';
import type { SyncInstance, SyncRecord } from '../store/syncs';

export interface SyncViewExtras {
  /** The sync's latest samples, newest first; those of other instances than the current one are passed over. */
  samples?: readonly SyncMetricsSample[];
  /** A running sync that has reported nothing for longer than this is marked stale. */
  staleAfterMs?: number;
  now?: Date;
}

export function syncView(sync: SyncRecord, { samples = [], staleAfterMs = Infinity, now = new Date() }: SyncViewExtras = {}) {
  const s = sync.snapshot;
  const r = sync.request;
  const current = samples.filter((m) => m.run === s.run);
  const latest = current[0] ?? null;
  const health = current.find((m) => m.slot !== null)?.slot ?? null;
  const running = s.state === 'Running';
  // The newest sign of life: a sample, or a snapshot write (each snapshot range records one).
  const reportedAt = new Date(Math.max(sync.updatedAt.getTime(), latest?.at.getTime() ?? 0));
  const ageMs = now.getTime() - reportedAt.getTime();
  const copied = copiedTotals(s);
  return {
    id: sync.id,
    kind: sync.kind,
    state: s.state,
    allowedActions: allowedActions('sync', s.state),
    source: r.source,
    target: r.target,
    tables: r.tables?.map(qualified) ?? null,
    schema: r.schema ?? null,
    mode: r.mode,
    options: r.options,
    instance: s.run >= 1 ? { run: s.run, startedAt: s.runStartedAt, finishedAt: s.finishedAt } : null,
    phase: s.phase,
    snapshot: s.tables.length
      ? {
          rowsCopied: copied.rows,
          rowsEstimated: s.tables.reduce((n, t) => n + t.rowsEstimated, 0),
          tables: s.tables.map((t) => ({
            table: t.table, rowsCopied: t.rowsCopied, rowsEstimated: t.rowsEstimated, rangesDone: t.rangesDone.length, rangesTotal: t.ranges.length,
          })),
        }
      : null,
    stream: s.phase === 'streaming'
      ? { appliedLsn: latest?.appliedLsn ?? null, appliedCommitTime: latest?.appliedCommitTime?.toISOString() ?? null }
      : null,
    metrics: s.run >= 1
      ? {
          idleTimeMs: latest?.idleMs ?? null,
          emitEventTimeMs: latest?.emitMs ?? null,
          instanceRecords: Math.max(latest?.records ?? 0, copied.rows),
          instanceBytes: Math.max(latest?.bytes ?? 0, copied.bytes),
          // Rates are of a moving sync: a paused or ended one moves nothing, whatever its last sample said.
          instanceRps: running ? latest?.rps ?? 0 : 0,
          instanceBps: running ? latest?.bps ?? 0 : 0,
          at: latest?.at.toISOString() ?? null,
          ageMs,
          stale: running && ageMs > staleAfterMs,
        }
      : null,
    slot: s.slot
      ? {
          name: s.slot.name,
          publication: s.slot.publication,
          retainedWalBytes: health?.retainedWalBytes ?? null,
          walStatus: health?.walStatus ?? null,
          safeWalSize: health?.safeWalSize ?? null,
          exists: health?.exists ?? null,
        }
      : null,
    warnings: syncWarnings({
      state: s.state,
      slotExpected: s.slot !== null && streams(r) && (s.state === 'Running' || s.state === 'Paused'),
      samples: current,
      walBudgetBytes: r.options.walBudgetBytes,
    }),
    error: s.error,
    createdAt: sync.createdAt.toISOString(),
    updatedAt: sync.updatedAt.toISOString(),
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    links: { self: `/v1/syncs/${sync.id}`, instances: `/v1/syncs/${sync.id}/instances`, metrics: `/v1/syncs/${sync.id}/metrics` },
  };
}

/** An instance of a sync: `<syncId>-<n>`, its number, times, final status and totals. */
export const instanceView = (syncId: string, i: SyncInstance) => ({
  id: `${syncId}-${i.run}`,
  number: i.run,
  status: i.state,
  startedAt: i.startedAt.toISOString(),
  endedAt: i.endedAt?.toISOString() ?? null,
  durationMs: Math.round(i.durationMs),
  records: i.records,
  bytes: i.bytes,
  error: i.error,
});
