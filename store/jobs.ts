// Jobs and their runs in Sluice's database. A job's state is its workflow's snapshot, written whole on every
// transition (and never by the API), so lists and views need no Temporal.
import type { Pool } from 'pg';
import type { JobError } from '../domain/errors';
import { extractionSnapshotSchema, type ExtractionSnapshot } from '../domain/extraction-job';
import { extractionEventOf } from '../domain/job-events';
import { newRun } from '../domain/new-run';
import { mailedEvents } from '../domain/notify-request';
import type { ExtractionRequest } from '../domain/extraction-request';
import { EXTRACTION_STATES, isActive, type ExtractionState } from '../domain/lifecycle';
import { requestRecipientsSql } from './email';
import { namedByRequest, newEventId } from './events';
import { listPage, pageCursor } from './pages';
import type { RunWindow } from '../domain/run-window';

const ACTIVE_STATES = EXTRACTION_STATES.filter((state) => isActive('extraction', state));

export interface JobRecord {
  id: string;
  tenantId: string;
  kind: 'extraction';
  request: ExtractionRequest;
  workflowId: string;
  createdAt: Date;
  /** When the snapshot was last written. */
  updatedAt: Date;
  snapshot: ExtractionSnapshot;
  /** The schedule whose run made the job, and that run's time and window. */
  schedule: JobSchedule | null;
}

export interface JobSchedule {
  id: string;
  nominalTime: string;
  window: RunWindow;
}

export interface JobRun {
  run: number;
  state: ExtractionState;
  startedAt: Date;
  endedAt: Date | null;
  records: number;
  bytes: number;
  error: JobError | null;
}

const COLUMNS = `id, tenant_id AS "tenantId", kind, request, workflow_id AS "workflowId", created_at AS "createdAt",
  updated_at AS "updatedAt", snapshot, run_window AS schedule`;

const toRecord = (row: JobRecord): JobRecord => ({ ...row, snapshot: extractionSnapshotSchema.parse(row.snapshot) });

export interface JobPage {
  jobs: JobRecord[];
  nextCursor: string | null;
}

// Cursor: the (created_at, id) of the last job on a page; opaque to clients.
const cursor = pageCursor(/^job_[0-9a-f]{1,40}$/);
export const decodeCursor = cursor.decode;

export class JobStore {
  constructor(private readonly db: Pool) {}

  /**
   * A new job, Queued in its first run; it joins the slot queue as it is made, so its place is the order of
   * submission. Made again with the same id (a retried activity), the job is the one made first.
   */
  async create(job: { id: string; tenantId: string; request: ExtractionRequest; workflowId: string; schedule?: JobSchedule }): Promise<JobRecord> {
    const snapshot = newRun(job.id, 1, new Date().toISOString());
    const res = await this.db.query<JobRecord>(
      `WITH job AS (
         INSERT INTO jobs (id, tenant_id, kind, state, request, workflow_id, run, snapshot, schedule_id, run_window)
         VALUES ($1, $2, 'extraction', $5, $3, $4, 1, $6, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING *
       ), first_run AS (
         INSERT INTO job_runs (job_id, run, state, started_at) SELECT id, 1, state, created_at FROM job
       ), queued AS (
         INSERT INTO job_slots (job_id, tenant_id, workflow_id) SELECT id, tenant_id, workflow_id FROM job
       ), mailed AS (
         ${requestRecipientsSql('$7', '$8')}
       )
       SELECT ${COLUMNS} FROM job`,
      [job.id, job.tenantId, job.request, job.workflowId, snapshot.state, snapshot, job.request.notify?.emails ?? [], mailedEvents(job.request.notify),
        job.schedule?.id ?? null, job.schedule ?? null],
    );
    if (res.rows[0]) return toRecord(res.rows[0]);
    const made = await this.get(job.tenantId, job.id);
    if (!made) throw new Error(`job ${job.id} exists for another tenant`);
    return made;
  }

  // Mirrors a workflow snapshot and its run. Idempotent (replays and retries write the same values); a snapshot
  // of an older run never overwrites a newer one.
  /** Records the snapshot; a run that ended also makes its event (job.completed …), in the same statement. */
  async recordSnapshot(s: ExtractionSnapshot): Promise<void> {
    const event = extractionEventOf(s);
    await this.db.query(
      `WITH job AS (
         UPDATE jobs SET state = $2, run = $3, snapshot = $4, updated_at = clock_timestamp() WHERE id = $1 AND run <= $3 RETURNING id, tenant_id
       ), event AS (
         INSERT INTO events (id, tenant_id, type, subject, dedupe_key, payload)
         SELECT $10, tenant_id, $11, id, $12, $13 FROM job WHERE $11::text IS NOT NULL
         ON CONFLICT (dedupe_key) DO NOTHING
       )
       INSERT INTO job_runs (job_id, run, state, started_at, ended_at, records, bytes, error)
       SELECT id, $3, $2, $5, $6, $7, $8, $9 FROM job
       ON CONFLICT (job_id, run) DO UPDATE SET state = EXCLUDED.state, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
         records = EXCLUDED.records, bytes = EXCLUDED.bytes, error = EXCLUDED.error`,
      [s.jobId, s.state, s.run, s, s.runStartedAt, s.finishedAt, s.progress.rowsDone, s.progress.bytesDone, s.error,
        newEventId(), event?.type ?? null, event?.dedupeKey ?? null, event?.payload ?? null],
    );
  }

  /**
   * Writes a running run's job.progress event, unless the job wrote one less than `intervalSeconds` ago or the run
   * is no longer Running, or no webhook wants it (email never does). Parts that try at once queue on the job's row and see the time the first one set, so one
   * gets through; a status change waits for (or comes before) it, so none follows the end of the run.
   */
  async recordProgressEvent(jobId: string, run: number, intervalSeconds: number, payload: Record<string, unknown>): Promise<boolean> {
    const res = await this.db.query(
      `WITH job AS (
         UPDATE jobs SET progress_event_at = date_trunc('milliseconds', clock_timestamp())
          WHERE id = $1 AND run = $2 AND state = 'Running'
            AND (progress_event_at IS NULL OR progress_event_at <= clock_timestamp() - make_interval(secs => $3))
            AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.tenant_id = jobs.tenant_id AND w.enabled
                          AND ('job.progress' = ANY (w.events) OR ${namedByRequest('jobs', 'w', "'job.progress'")}))
          RETURNING id, tenant_id, progress_event_at
       )
       INSERT INTO events (id, tenant_id, type, subject, dedupe_key, payload, created_at)
       SELECT $4, tenant_id, 'job.progress', id, 'job.progress/' || id || '/' || $2 || '/' || (extract(epoch FROM progress_event_at) * 1000)::bigint,
              $5, progress_event_at
         FROM job
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [jobId, run, intervalSeconds, newEventId(), payload],
    );
    return res.rowCount === 1;
  }

  async get(tenantId: string, id: string): Promise<JobRecord | null> {
    const res = await this.db.query<JobRecord>(`SELECT ${COLUMNS} FROM jobs WHERE tenant_id = $1 AND id = $2 AND kind = 'extraction'`, [tenantId, id]);
    return res.rows[0] ? toRecord(res.rows[0]) : null;
  }

  async list(tenantId: string, opts: { state?: ExtractionState; scheduleId?: string; limit: number; after?: [string, string] }): Promise<JobPage> {
    const page = await listPage<JobRecord>(this.db, cursor, 'extraction', COLUMNS, tenantId, opts);
    return { jobs: page.rows.map(toRecord), nextCursor: page.nextCursor };
  }

  /** The job's runs, newest first. */
  async runs(id: string): Promise<JobRun[]> {
    const res = await this.db.query<JobRun>(
      `SELECT run, state, started_at AS "startedAt", ended_at AS "endedAt", records::float8 AS records, bytes::float8 AS bytes, error
         FROM job_runs WHERE job_id = $1 ORDER BY run DESC`,
      [id],
    );
    return res.rows;
  }

  /** Records that a still-active job's workflow ended without saying so (terminated, timed out). */
  async markEnded(id: string, error: JobError): Promise<void> {
    await this.db.query(
      `WITH job AS (
         UPDATE jobs SET state = 'Failed', updated_at = clock_timestamp(),
                snapshot = snapshot || jsonb_build_object('state', 'Failed', 'error', $2::jsonb, 'finishedAt', to_jsonb(clock_timestamp()))
          WHERE id = $1 AND state = ANY($3) RETURNING id, run
       )
       UPDATE job_runs r SET state = 'Failed', ended_at = clock_timestamp(), error = $2 FROM job WHERE r.job_id = job.id AND r.run = job.run`,
      [id, error, ACTIVE_STATES],
    );
  }

  /** The files of one run were deleted at their expiry; a newer run is left alone. */
  async markFilesExpired(id: string, run: number, at: string): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET snapshot = snapshot || jsonb_build_object('filesExpiredAt', $3::text), updated_at = clock_timestamp()
        WHERE id = $1 AND run = $2`,
      [id, run, at],
    );
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.db.query('DELETE FROM jobs WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  }
}
