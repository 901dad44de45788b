// The six sync metrics (design.md §3) and slot health: what is sampled, and the arithmetic on the samples. Pure.

export interface SlotHealth {
  /** pg_current_wal_lsn() − restart_lsn: WAL the source keeps for this slot. */
  retainedWalBytes: number | null;
  /** pg_replication_slots.wal_status: reserved, extended, unreserved, lost; null when the slot is gone. */
  walStatus: string | null;
  /** pg_replication_slots.safe_wal_size: WAL that can still be written before the slot is in danger (null: unlimited). */
  safeWalSize: number | null;
  /** False when the slot no longer exists. */
  exists: boolean;
}

export interface SyncMetricsSample {
  jobId: string;
  run: number;
  at: Date;
  /** now − source commit time of the newest WAL entry applied (heartbeats included); null before the first. */
  idleMs: number | null;
  /** Processing time − source commit time of the newest data change (growing while applied data waits). */
  emitMs: number | null;
  /** Instance totals: change records applied and snapshot rows copied; bytes of change data read and snapshot bytes copied. */
  records: number;
  bytes: number;
  rps: number;
  bps: number;
  appliedLsn: string | null;
  appliedCommitTime: Date | null;
  slot: SlotHealth | null;
}

/** Records and bytes per second over a sliding window of cumulative (time, records, bytes) points. */
export class SlidingRate {
  private points: { at: number; records: number; bytes: number }[] = [];
  constructor(private readonly windowMs = 10_000) {}

  add(at: number, records: number, bytes: number): void {
    this.points.push({ at, records, bytes });
    while (this.points.length > 2 && this.points[1].at <= at - this.windowMs) this.points.shift();
  }

  /** The rates between the oldest point in the window and the newest; zero with fewer than two points. */
  rates(): { rps: number; bps: number } {
    const first = this.points[0];
    const last = this.points[this.points.length - 1];
    const seconds = first && last ? (last.at - first.at) / 1000 : 0;
    if (!(seconds > 0)) return { rps: 0, bps: 0 };
    return { rps: (last.records - first.records) / seconds, bps: (last.bytes - first.bytes) / seconds };
  }
}

/**
 * Idle Time and Emit Event Time at `nowMs` (the worker's clock) from source commit times, corrected by the
 * offset of the source's clock (source − worker). Emit: while applied data is waiting, the oldest waiting change's
 * age (it grows when the apply stalls); else the lag at which the newest data change was applied.
 */
export function latencies(o: {
  nowMs: number;
  clockOffsetMs: number;
  lastAppliedCommitMs: number | null;
  lastDataCommitMs: number | null;
  lastDataAppliedAtMs: number | null;
  oldestWaitingDataCommitMs: number | null;
}): { idleMs: number | null; emitMs: number | null } {
  const sourceNow = o.nowMs + o.clockOffsetMs;
  const idleMs = o.lastAppliedCommitMs === null ? null : Math.max(0, sourceNow - o.lastAppliedCommitMs);
  let emitMs: number | null = null;
  if (o.oldestWaitingDataCommitMs !== null) emitMs = Math.max(0, sourceNow - o.oldestWaitingDataCommitMs);
  else if (o.lastDataCommitMs !== null && o.lastDataAppliedAtMs !== null) emitMs = Math.max(0, o.lastDataAppliedAtMs + o.clockOffsetMs - o.lastDataCommitMs);
  return { idleMs, emitMs };
}

/** The source clock's offset from the worker's, from one round trip (source time read between `sentMs` and `receivedMs`). */
export const clockOffsetMs = (sentMs: number, sourceMs: number, receivedMs: number): number => sourceMs - (sentMs + receivedMs) / 2;
