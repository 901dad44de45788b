// Live progress of a run's parts, recorded by their activities as they move, for the API to read without asking
// Temporal. One row per (job, run, part); a stream (one COPY cut into many files) is part 0 with cumulative
// counts. Every write names the activity attempt making it, ordered by (when the activity was scheduled,
// attempt): a write older than the row's is ignored, so a straggler of a failed, cancelled or abandoned attempt
// never overwrites a newer one (a part run again after a pause is a newer activity, with attempt 1 again).
// A part file finished in storage writes its job.part_ready event in the same statement as the write that records
// it (once per job, run and part: its dedupe key), and only when that write is not ignored and the run is the job's.
import type { Pool } from 'pg';
import type { PartReadyEvent } from '../domain/running-job-events';
import { newEventId } from './events';

export interface PartAttempt {
  jobId: string;
  run: number;
  part: number;
  attempt: number;
  /** When the workflow scheduled the activity (the same for all its attempts). */
  scheduledAt: Date;
}

export type PartWaiting = 'lock';

export interface PartCounts {
  rows: number;
  bytes: number;
}

export interface ProgressTotals {
  /** Rows and bytes written so far by the run's parts, finished or not (a stream: its cumulative counts). */
  rows: number;
  bytes: number;
  /** Parts that have started (a stream counts as one part), and those of them finished. */
  parts: number;
  partsDone: number;
  /** The latest write; a running part writes every couple of seconds. Null when nothing has started. */
  updatedAt: Date | null;
  /** 'lock' while a part's source session waits on a lock. */
  waiting: PartWaiting | null;
  /** A part being retried: the attempt it is on (running, or waiting out its backoff) and why the one before failed. */
  retry: { attempt: number; reason: string } | null;
}

const EMPTY: ProgressTotals = { rows: 0, bytes: 0, parts: 0, partsDone: 0, updatedAt: null, waiting: null, retry: null };

// The reason an attempt gets when the one before it ended without saying why: its worker died or lost touch, and
// Temporal retried the part once its heartbeats stopped.
export const silentFailure = (attempt: number) => `attempt ${attempt - 1} stopped reporting (its worker stopped or lost contact) and was retried`;

const T = 'job_part_progress';
const NEWER = `WHERE (${T}.scheduled_at, ${T}.attempt) <= (EXCLUDED.scheduled_at, EXCLUDED.attempt)`;
const key = (a: PartAttempt) => [a.jobId, a.run, a.part, a.attempt, a.scheduledAt];

// `upsert` (an INSERT … RETURNING job_id, run) and the event of a finished part file, if any, in one statement.
const withReady = (upsert: string, params: unknown[], ready: PartReadyEvent | null): [string, unknown[]] => {
  if (!ready) return [upsert, params];
  const n = params.length;
  return [
    `WITH recorded AS (${upsert} RETURNING job_id, run), ready AS (
       INSERT INTO events (id, tenant_id, type, subject, dedupe_key, payload)
       SELECT $${n + 1}, j.tenant_id, 'job.part_ready', j.id, $${n + 2}, $${n + 3} FROM recorded r JOIN jobs j ON j.id = r.job_id AND j.run = r.run
       ON CONFLICT (dedupe_key) DO NOTHING
     ) SELECT count(*) FROM recorded`,
    [...params, newEventId(), ready.dedupeKey, ready.payload],
  ];
};

export class PartProgressStore {
  constructor(private readonly db: Pool) {}

  /**
   * An attempt begins, from `from` (a resumed stream keeps what it had; a part starts at 0). It keeps the failure
   * that caused it, or says that the attempt before went silent.
   */
  async start(a: PartAttempt, from: PartCounts = { rows: 0, bytes: 0 }): Promise<void> {
    await this.db.query(
      `INSERT INTO ${T} (job_id, run, part, attempt, scheduled_at, rows, bytes, last_failure)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4::int > 1 THEN $8 END)
       ON CONFLICT (job_id, run, part) DO UPDATE SET rows = EXCLUDED.rows, bytes = EXCLUDED.bytes, attempt = EXCLUDED.attempt,
              scheduled_at = EXCLUDED.scheduled_at, waiting = NULL, done = false, updated_at = clock_timestamp(),
              last_failure = CASE WHEN (${T}.scheduled_at, ${T}.attempt) = (EXCLUDED.scheduled_at, EXCLUDED.attempt)
                                  THEN ${T}.last_failure ELSE EXCLUDED.last_failure END
       ${NEWER}`,
      [...key(a), from.rows, from.bytes, silentFailure(a.attempt)],
    );
  }

  /** Where a running attempt is; written on its heartbeat ticks, and by a stream as each of its files is finished (`ready`). */
  async report(a: PartAttempt, c: PartCounts & { waiting: PartWaiting | null }, ready: PartReadyEvent | null = null): Promise<void> {
    await this.db.query(...withReady(
      `INSERT INTO ${T} (job_id, run, part, attempt, scheduled_at, rows, bytes, waiting) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (job_id, run, part) DO UPDATE SET rows = EXCLUDED.rows, bytes = EXCLUDED.bytes, waiting = EXCLUDED.waiting,
              attempt = EXCLUDED.attempt, scheduled_at = EXCLUDED.scheduled_at, updated_at = clock_timestamp()
       ${NEWER} AND NOT ${T}.done`,
      [...key(a), c.rows, c.bytes, c.waiting],
      ready,
    ));
  }

  /** The part is done: its final counts, and the event of its file (`ready`; a stream's were written as they came). */
  async finish(a: PartAttempt, c: PartCounts, ready: PartReadyEvent | null = null): Promise<void> {
    await this.db.query(...withReady(
      `INSERT INTO ${T} (job_id, run, part, attempt, scheduled_at, rows, bytes, done) VALUES ($1, $2, $3, $4, $5, $6, $7, true)
       ON CONFLICT (job_id, run, part) DO UPDATE SET rows = EXCLUDED.rows, bytes = EXCLUDED.bytes, attempt = EXCLUDED.attempt,
              scheduled_at = EXCLUDED.scheduled_at, waiting = NULL, done = true, updated_at = clock_timestamp()
       ${NEWER}`,
      [...key(a), c.rows, c.bytes],
      ready,
    ));
  }

  /** The attempt failed with an error that will be retried: the part is now on the next attempt, and this is why. */
  async failed(a: PartAttempt, reason: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${T} (job_id, run, part, attempt, scheduled_at, last_failure) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (job_id, run, part) DO UPDATE SET attempt = EXCLUDED.attempt, last_failure = EXCLUDED.last_failure,
              waiting = NULL, updated_at = clock_timestamp()
       ${NEWER} AND NOT ${T}.done`,
      [...key({ ...a, attempt: a.attempt + 1 }), reason],
    );
  }

  /** The attempt was cancelled (pause, cancel): the part starts from nothing if it runs again, so its row goes. */
  async remove(a: PartAttempt): Promise<void> {
    await this.db.query(
      `DELETE FROM ${T} WHERE job_id = $1 AND run = $2 AND part = $3 AND NOT done AND (scheduled_at, attempt) <= ($5, $4)`,
      key(a),
    );
  }

  async totals(jobId: string, run: number): Promise<ProgressTotals> {
    return (await this.totalsOf([{ jobId, run }])).get(jobId) ?? { ...EMPTY };
  }

  /** Totals of many jobs (one run each) in one query, by job id; a job with no progress yet is absent. */
  async totalsOf(runs: { jobId: string; run: number }[]): Promise<Map<string, ProgressTotals>> {
    if (!runs.length) return new Map();
    const retrying = 'FILTER (WHERE NOT done AND attempt > 1 AND last_failure IS NOT NULL)';
    const res = await this.db.query<{
      jobId: string; rows: number; bytes: number; parts: number; partsDone: number; updatedAt: Date; waiting: boolean;
      retryAttempt: number | null; retryReason: string | null;
    }>(
      `SELECT job_id AS "jobId", sum(rows)::float8 AS rows, sum(bytes)::float8 AS bytes, count(*)::int AS parts,
              count(*) FILTER (WHERE done)::int AS "partsDone", max(updated_at) AS "updatedAt",
              coalesce(bool_or(waiting = 'lock' AND NOT done), false) AS waiting,
              (array_agg(attempt ORDER BY attempt DESC, updated_at DESC) ${retrying})[1] AS "retryAttempt",
              (array_agg(last_failure ORDER BY attempt DESC, updated_at DESC) ${retrying})[1] AS "retryReason"
         FROM ${T}
        WHERE (job_id, run) IN (SELECT * FROM unnest($1::text[], $2::int[]))
        GROUP BY job_id, run`,
      [runs.map((r) => r.jobId), runs.map((r) => r.run)],
    );
    return new Map(res.rows.map((r) => [r.jobId, {
      rows: r.rows, bytes: r.bytes, parts: r.parts, partsDone: r.partsDone, updatedAt: r.updatedAt,
      waiting: r.waiting ? ('lock' as const) : null,
      retry: r.retryAttempt !== null && r.retryReason !== null ? { attempt: r.retryAttempt, reason: r.retryReason } : null,
    }]));
  }
}
