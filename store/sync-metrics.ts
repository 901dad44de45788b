// The metrics of syncs over time (design.md §3): a sample every few seconds while a sync streams, about every
// 30 s while it is paused. Each sample also carries its instance's totals into job_runs.
import type { Pool } from 'pg';
import type { SyncMetricsSample } from '../domain/sync-metrics';

/** One bucket of a series: idle/emit their worst, records/bytes their last, rates their mean, retained WAL its most. */
export type SyncMetricsPoint = Pick<SyncMetricsSample, 'at' | 'idleMs' | 'emitMs' | 'records' | 'bytes' | 'rps' | 'bps'> & {
  /** The instance of the bucket's last sample. */
  run: number;
  samples: number;
  retainedWalBytes: number | null;
  /** Of the bucket's last sample with slot health. */
  walStatus: string | null;
  /** The least in the bucket. */
  safeWalSize: number | null;
};

interface SampleRow {
  job_id: string;
  run: number;
  at: Date;
  idle_ms: number | null;
  emit_ms: number | null;
  records: number;
  bytes: number;
  rps: number;
  bps: number;
  applied_lsn: string | null;
  applied_commit_time: Date | null;
  retained_wal_bytes: number | null;
  wal_status: string | null;
  safe_wal_size: number | null;
  slot_exists: boolean | null;
}

// bigint columns read as float8: JSON numbers, exact to 2^53.
const SAMPLE = `job_id, run, at, idle_ms::float8 AS idle_ms, emit_ms::float8 AS emit_ms, records::float8 AS records, bytes::float8 AS bytes,
  rps, bps, applied_lsn, applied_commit_time, retained_wal_bytes::float8 AS retained_wal_bytes, wal_status,
  safe_wal_size::float8 AS safe_wal_size, slot_exists`;

const toSample = (r: SampleRow): SyncMetricsSample => ({
  jobId: r.job_id, run: r.run, at: r.at, idleMs: r.idle_ms, emitMs: r.emit_ms, records: r.records, bytes: r.bytes, rps: r.rps, bps: r.bps,
  appliedLsn: r.applied_lsn, appliedCommitTime: r.applied_commit_time,
  slot: r.slot_exists === null ? null : { retainedWalBytes: r.retained_wal_bytes, walStatus: r.wal_status, safeWalSize: r.safe_wal_size, exists: r.slot_exists },
});

const FOREIGN_KEY_VIOLATION = '23503';

export class SyncMetricsStore {
  constructor(private readonly db: Pool) {}

  /**
   * Keeps a sample and raises its instance's records and bytes to the sample's totals (never lowers them: a
   * late sample of an earlier attempt changes nothing). A sample of a sync deleted meanwhile is dropped.
   */
  async record(m: SyncMetricsSample): Promise<void> {
    const slot = m.slot;
    try {
      await this.db.query(
        `WITH sample AS (
           INSERT INTO sync_metrics (job_id, run, at, idle_ms, emit_ms, records, bytes, rps, bps, applied_lsn, applied_commit_time,
                                     retained_wal_bytes, wal_status, safe_wal_size, slot_exists)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (job_id, at) DO UPDATE SET run = EXCLUDED.run, idle_ms = EXCLUDED.idle_ms, emit_ms = EXCLUDED.emit_ms,
             records = EXCLUDED.records, bytes = EXCLUDED.bytes, rps = EXCLUDED.rps, bps = EXCLUDED.bps, applied_lsn = EXCLUDED.applied_lsn,
             applied_commit_time = EXCLUDED.applied_commit_time, retained_wal_bytes = EXCLUDED.retained_wal_bytes,
             wal_status = EXCLUDED.wal_status, safe_wal_size = EXCLUDED.safe_wal_size, slot_exists = EXCLUDED.slot_exists
           RETURNING job_id
         )
         UPDATE job_runs SET records = greatest(records, $6), bytes = greatest(bytes, $7)
          WHERE job_id = (SELECT job_id FROM sample) AND run = $2`,
        [m.jobId, m.run, m.at, round(m.idleMs), round(m.emitMs), Math.round(m.records), Math.round(m.bytes), m.rps, m.bps, m.appliedLsn,
          m.appliedCommitTime, round(slot?.retainedWalBytes ?? null), slot?.walStatus ?? null, round(slot?.safeWalSize ?? null), slot ? slot.exists : null],
      );
    } catch (err) {
      if ((err as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw err;
    }
  }

  /** The sync's newest sample, or null before the first. */
  async latest(jobId: string): Promise<SyncMetricsSample | null> {
    return (await this.recent([jobId], 1)).get(jobId)?.[0] ?? null;
  }

  /** The newest `count` samples of each sync, newest first (a sync without samples is absent). */
  async recent(jobIds: readonly string[], count: number): Promise<Map<string, SyncMetricsSample[]>> {
    const res = await this.db.query<SampleRow>(
      `SELECT m.* FROM unnest($1::text[]) AS j(id)
         CROSS JOIN LATERAL (SELECT ${SAMPLE} FROM sync_metrics WHERE job_id = j.id ORDER BY at DESC LIMIT $2) AS m
        ORDER BY m.job_id, m.at DESC`,
      [jobIds, count],
    );
    return byJob(res.rows);
  }

  /**
   * Each sync's samples of its last `seconds` before `now` (its newest one at least, however old), newest first:
   * what a rule held for a time window needs, whatever the sampling rate.
   */
  async within(windows: readonly { jobId: string; seconds: number }[], now: Date): Promise<Map<string, SyncMetricsSample[]>> {
    const res = await this.db.query<SampleRow>(
      `SELECT m.* FROM unnest($1::text[], $2::float8[]) AS j(id, secs)
         CROSS JOIN LATERAL (
           SELECT ${SAMPLE} FROM sync_metrics
            WHERE job_id = j.id AND at >= least($3::timestamptz - make_interval(secs => j.secs), (SELECT max(at) FROM sync_metrics WHERE job_id = j.id))
            ORDER BY at DESC) AS m
        ORDER BY m.job_id, m.at DESC`,
      [windows.map((w) => w.jobId), windows.map((w) => w.seconds), now],
    );
    return byJob(res.rows);
  }

  /** Buckets of `stepSeconds` from `from` (inclusive) to `to` (exclusive), oldest first; buckets without samples are absent. */
  async series(jobId: string, range: { from: Date; to: Date; stepSeconds: number }): Promise<SyncMetricsPoint[]> {
    const res = await this.db.query<SyncMetricsPoint>(
      `SELECT date_bin(make_interval(secs => $4), at, $2::timestamptz) AS at,
              (array_agg(run ORDER BY at DESC))[1] AS run,
              count(*)::int AS samples,
              max(idle_ms)::float8 AS "idleMs",
              max(emit_ms)::float8 AS "emitMs",
              (array_agg(records ORDER BY at DESC))[1]::float8 AS records,
              (array_agg(bytes ORDER BY at DESC))[1]::float8 AS bytes,
              avg(rps)::float8 AS rps,
              avg(bps)::float8 AS bps,
              max(retained_wal_bytes)::float8 AS "retainedWalBytes",
              (array_agg(wal_status ORDER BY at DESC) FILTER (WHERE slot_exists IS NOT NULL))[1] AS "walStatus",
              min(safe_wal_size)::float8 AS "safeWalSize"
         FROM sync_metrics
        WHERE job_id = $1 AND at >= $2 AND at < $3
        GROUP BY 1 ORDER BY 1`,
      [jobId, range.from, range.to, range.stepSeconds],
    );
    return res.rows;
  }

  /** Deletes every sync's samples older than `before`; answers how many. */
  async prune(before: Date): Promise<number> {
    const res = await this.db.query('DELETE FROM sync_metrics WHERE at < $1', [before]);
    return res.rowCount ?? 0;
  }
}

function byJob(rows: SampleRow[]): Map<string, SyncMetricsSample[]> {
  const samples = new Map<string, SyncMetricsSample[]>();
  for (const row of rows) {
    const list = samples.get(row.job_id) ?? [];
    list.push(toSample(row));
    samples.set(row.job_id, list);
  }
  return samples;
}

const round = (n: number | null): number | null => (n === null ? null : Math.round(n));
