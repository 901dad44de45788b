// A tenant's schedules as they defined them, and each time one fired: the job it made or why it made none.
// Temporal fires the runs; this lets the API list and show schedules and their runs without it.
import type { Pool } from 'pg';
import type { ScheduleDefinition } from '../domain/schedule';
import type { RunWindow } from '../domain/run-window';
import type { RunSkip } from '../domain/schedule-run';
import { pageCursor } from './pages';

export interface ScheduleRecord {
  id: string;
  tenantId: string;
  definition: ScheduleDefinition;
  temporalScheduleId: string;
  paused: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScheduleRun {
  nominalTime: Date;
  window: RunWindow;
  /** When a worker first took the run. */
  takenAt: Date;
  jobId: string | null;
  /** The job's state now; null when it was skipped, or deleted since. */
  jobState: string | null;
  skipped: RunSkip | null;
  createdAt: Date;
}

const COLUMNS = `id, tenant_id AS "tenantId", definition, temporal_schedule_id AS "temporalScheduleId", paused,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

const cursor = pageCursor(/^sch_[0-9a-f]{20}$/);
export const decodeScheduleCursor = cursor.decode;

export class ScheduleStore {
  constructor(private readonly db: Pool) {}

  async create(s: { id: string; tenantId: string; definition: ScheduleDefinition; temporalScheduleId: string; paused: boolean }): Promise<ScheduleRecord> {
    const res = await this.db.query<ScheduleRecord>(
      `INSERT INTO schedules (id, tenant_id, definition, temporal_schedule_id, paused) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [s.id, s.tenantId, s.definition, s.temporalScheduleId, s.paused],
    );
    return res.rows[0];
  }

  async get(tenantId: string, id: string): Promise<ScheduleRecord | null> {
    const res = await this.db.query<ScheduleRecord>(`SELECT ${COLUMNS} FROM schedules WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return res.rows[0] ?? null;
  }

  async list(tenantId: string, opts: { limit: number; after?: [string, string] }): Promise<{ schedules: ScheduleRecord[]; nextCursor: string | null }> {
    const res = await this.db.query<ScheduleRecord>(
      `SELECT ${COLUMNS} FROM schedules
        WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::text))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [tenantId, opts.after?.[0] ?? null, opts.after?.[1] ?? null, opts.limit + 1],
    );
    const rows = res.rows.slice(0, opts.limit);
    return { schedules: rows, nextCursor: res.rows.length > opts.limit ? cursor.encode(rows[rows.length - 1]) : null };
  }

  async update(tenantId: string, id: string, change: { definition?: ScheduleDefinition; paused?: boolean }): Promise<ScheduleRecord | null> {
    const res = await this.db.query<ScheduleRecord>(
      `UPDATE schedules SET definition = coalesce($3, definition), paused = coalesce($4, paused), updated_at = clock_timestamp()
        WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tenantId, id, change.definition ?? null, change.paused ?? null],
    );
    return res.rows[0] ?? null;
  }

  /** Removes the schedule and its record of runs; the jobs it made stay. */
  async delete(tenantId: string, id: string): Promise<void> {
    await this.db.query('DELETE FROM schedules WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  }

  /** Notes that one execution fired (idempotent: a retried activity notes it once). */
  async recordRun(run: Omit<ScheduleRun, 'jobState' | 'createdAt'> & { scheduleId: string; executionId: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO schedule_runs (schedule_id, execution_id, nominal_time, window_start, window_end, taken_at, job_id, skipped)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (schedule_id, execution_id) DO NOTHING`,
      [run.scheduleId, run.executionId, run.nominalTime, run.window.start, run.window.end, run.takenAt, run.jobId, run.skipped],
    );
  }

  /** The latest runs, newest first, with their jobs' states. */
  async runs(scheduleId: string, limit: number): Promise<ScheduleRun[]> {
    const res = await this.db.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM schedule_runs r LEFT JOIN jobs j ON j.id = r.job_id
        WHERE r.schedule_id = $1 ORDER BY r.created_at DESC, r.nominal_time DESC LIMIT $2`,
      [scheduleId, limit],
    );
    return res.rows.map(toRun);
  }

  /** The latest run of each schedule (a list's page), in one query; none for a schedule that never fired. */
  async latestRuns(scheduleIds: string[]): Promise<Map<string, ScheduleRun>> {
    const res = await this.db.query<RunRow & { scheduleId: string }>(
      `SELECT DISTINCT ON (r.schedule_id) r.schedule_id AS "scheduleId", ${RUN_COLUMNS}
         FROM schedule_runs r LEFT JOIN jobs j ON j.id = r.job_id
        WHERE r.schedule_id = ANY ($1) ORDER BY r.schedule_id, r.created_at DESC, r.nominal_time DESC`,
      [scheduleIds],
    );
    return new Map(res.rows.map(({ scheduleId, ...r }) => [scheduleId, toRun(r)]));
  }
}

const RUN_COLUMNS = `r.nominal_time AS "nominalTime", r.taken_at AS "takenAt", r.window_start AS "windowStart", r.window_end AS "windowEnd",
  r.job_id AS "jobId", j.state AS "jobState", r.skipped, r.created_at AS "createdAt"`;

type RunRow = Omit<ScheduleRun, 'window'> & { windowStart: Date; windowEnd: Date };

const toRun = ({ windowStart, windowEnd, ...r }: RunRow): ScheduleRun => ({ ...r, window: { start: windowStart.toISOString(), end: windowEnd.toISOString() } });
