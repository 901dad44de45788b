import type { Pool } from 'pg';
import type { JobError } from '../domain/errors';
import type { ExtractionSnapshot, Manifest, PlanSummary, WorkerUsage } from '../domain/extraction-job';
import type { ExtractionRequest } from '../domain/extraction-request';
import type { ExtractionState } from '../domain/extraction-states';
import type { ExtractionProgress } from '../domain/progress';

export interface JobRecord {
  id: string;
  tenantId: string;
  kind: 'extraction';
  state: ExtractionState;
  request: ExtractionRequest;
  workflowId: string;
  plan: PlanSummary | null;
  progress: ExtractionProgress | null;
  error: JobError | null;
  manifest: Manifest | null;
  filesExpireAt: Date | null;
  filesExpiredAt: Date | null;
  attempts: number;
  worker: WorkerUsage | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

const COLUMNS = `id, tenant_id AS "tenantId", kind, state, request, workflow_id AS "workflowId", plan, progress, error, manifest,
  files_expire_at AS "filesExpireAt", files_expired_at AS "filesExpiredAt", worker_usage AS "worker",
  attempts, created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", updated_at AS "updatedAt"`;

export interface JobPage {
  jobs: JobRecord[];
  nextCursor: string | null;
}

// Cursor: the (created_at, id) of the last job on a page; opaque to clients.
const encodeCursor = (job: JobRecord) => Buffer.from(JSON.stringify([job.createdAt.toISOString(), job.id])).toString('base64url');
export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && !Number.isNaN(Date.parse(value[0]))
      ? [value[0], value[1]]
      : null;
  } catch {
    return null;
  }
}

export class JobStore {
  constructor(private readonly db: Pool) {}

  async create(job: { id: string; tenantId: string; request: ExtractionRequest; workflowId: string }): Promise<JobRecord> {
    // The job joins the slot queue as it is made, so its place is the order of submission.
    const res = await this.db.query<JobRecord>(
      `WITH job AS (
         INSERT INTO jobs (id, tenant_id, kind, state, request, workflow_id) VALUES ($1, $2, 'extraction', 'Queued', $3, $4) RETURNING *
       ), queued AS (
         INSERT INTO job_slots (job_id, tenant_id, workflow_id) SELECT id, tenant_id, workflow_id FROM job
       )
       SELECT ${COLUMNS} FROM job`,
      [job.id, job.tenantId, job.request, job.workflowId],
    );
    return res.rows[0];
  }

  // Mirrors a workflow snapshot. Idempotent: replays and retries write the same values.
  async recordSnapshot(s: ExtractionSnapshot): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET state = $2, progress = $3, plan = $4, error = $5, manifest = $6, attempts = $7,
              started_at = $8, finished_at = $9, files_expire_at = $10, files_expired_at = $11, worker_usage = $12,
              updated_at = clock_timestamp()
        WHERE id = $1`,
      [s.jobId, s.state, s.progress, s.plan, s.error, s.manifest, s.attempts, s.startedAt, s.finishedAt, s.filesExpireAt, s.filesExpiredAt, s.worker],
    );
  }

  async get(tenantId: string, id: string): Promise<JobRecord | null> {
    const res = await this.db.query<JobRecord>(`SELECT ${COLUMNS} FROM jobs WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return res.rows[0] ?? null;
  }

  async list(tenantId: string, opts: { state?: ExtractionState; limit: number; after?: [string, string] }): Promise<JobPage> {
    const res = await this.db.query<JobRecord>(
      `SELECT ${COLUMNS} FROM jobs
        WHERE tenant_id = $1 AND ($2::text IS NULL OR state = $2)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::text))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [tenantId, opts.state ?? null, opts.after?.[0] ?? null, opts.after?.[1] ?? null, opts.limit + 1],
    );
    const jobs = res.rows.slice(0, opts.limit);
    return { jobs, nextCursor: res.rows.length > opts.limit ? encodeCursor(jobs[jobs.length - 1]) : null };
  }

  // A finished job begins a new run: everything of the previous run is cleared, and it joins the back of the queue.
  async resetForRestart(tenantId: string, id: string): Promise<JobRecord | null> {
    const res = await this.db.query<JobRecord>(
      `WITH job AS (
         UPDATE jobs SET state = 'Queued', progress = NULL, plan = NULL, error = NULL, manifest = NULL, attempts = 0,
                files_expire_at = NULL, files_expired_at = NULL, worker_usage = NULL,
                started_at = NULL, finished_at = NULL, updated_at = clock_timestamp()
          WHERE tenant_id = $1 AND id = $2 RETURNING *
       ), queued AS (
         INSERT INTO job_slots (job_id, tenant_id, workflow_id) SELECT id, tenant_id, workflow_id FROM job ON CONFLICT (job_id) DO NOTHING
       )
       SELECT ${COLUMNS} FROM job`,
      [tenantId, id],
    );
    return res.rows[0] ?? null;
  }

  /** Records that a still-active job's workflow ended on its own (terminated, timed out). */
  async markEnded(id: string, error: JobError): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET state = 'Failed', error = $2, finished_at = clock_timestamp(), updated_at = clock_timestamp()
        WHERE id = $1 AND state IN ('Queued', 'Running', 'Paused')`,
      [id, error],
    );
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.db.query('DELETE FROM jobs WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  }
}
