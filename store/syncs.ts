// Sync jobs and their instances in Sluice's database: rows of `jobs` of kind 'sync' and their `job_runs`. A
// sync's state is its workflow's snapshot, written whole on every transition (never by the API), so lists and
// views need no Temporal.
import type { Pool } from 'pg';
import { requestRecipientsSql } from './email';
import { newEventId } from './events';
import type { JobError } from '../domain/errors';
import type { SyncState } from '../domain/lifecycle';
import { copiedTotals, newSyncJob, type SyncSnapshot } from '../domain/sync-job';
import type { SyncRequest } from '../domain/sync-request';
import { mailedEvents } from '../domain/notify-request';
import { listPage, pageCursor } from './pages';

export interface SyncRecord {
  id: string;
  tenantId: string;
  kind: 'sync';
  request: SyncRequest;
  workflowId: string;
  createdAt: Date;
  /** When the snapshot was last written. */
  updatedAt: Date;
  snapshot: SyncSnapshot;
}

/** An instance: one start or restart of the sync, from its beginning to its end (still running: endedAt null). */
export interface SyncInstance {
  run: number;
  /** The instance's last state: its final status once it has ended. */
  state: SyncState;
  startedAt: Date;
  endedAt: Date | null;
  /** To its end, or to now while it runs (the database's clock). */
  durationMs: number;
  records: number;
  bytes: number;
  error: JobError | null;
}

export interface SyncPage {
  syncs: SyncRecord[];
  nextCursor: string | null;
}

const COLUMNS = `id, tenant_id AS "tenantId", kind, request, workflow_id AS "workflowId", created_at AS "createdAt",
  updated_at AS "updatedAt", snapshot`;

const cursor = pageCursor(/^sync_[0-9a-f]{1,40}$/);
export const decodeSyncCursor = cursor.decode;

export class SyncStore {
  constructor(private readonly db: Pool) {}

  /** A new sync in Created: no instance until its first start. */
  async create(sync: { id: string; tenantId: string; request: SyncRequest; workflowId: string }): Promise<SyncRecord> {
    const snapshot = newSyncJob(sync.id);
    const res = await this.db.query<SyncRecord>(
      `WITH job AS (
         INSERT INTO jobs (id, tenant_id, kind, state, request, workflow_id, run, snapshot)
         VALUES ($1, $2, 'sync', $5, $3, $4, 0, $6) RETURNING *
       ), mailed AS (
         ${requestRecipientsSql('$7', '$8')}
       )
       SELECT ${COLUMNS} FROM job`,
      [sync.id, sync.tenantId, sync.request, sync.workflowId, snapshot.state, snapshot, sync.request.notify?.emails ?? [], mailedEvents(sync.request.notify)],
    );
    return res.rows[0];
  }

  async get(tenantId: string, id: string): Promise<SyncRecord | null> {
    const res = await this.db.query<SyncRecord>(`SELECT ${COLUMNS} FROM jobs WHERE tenant_id = $1 AND id = $2 AND kind = 'sync'`, [tenantId, id]);
    return res.rows[0] ?? null;
  }

  /** The tenant's syncs, newest first; `after` is a decoded cursor (decodeSyncCursor). */
  async list(tenantId: string, opts: { state?: SyncState; limit: number; after?: [string, string] }): Promise<SyncPage> {
    const page = await listPage<SyncRecord>(this.db, cursor, 'sync', COLUMNS, tenantId, opts);
    return { syncs: page.rows, nextCursor: page.nextCursor };
  }

  // Mirrors a workflow snapshot and its instance. Idempotent (replays and retries write the same values); a
  // snapshot of an older instance never overwrites a newer one. Records and bytes only grow: the stream's samples
  // (store/sync-metrics.ts) count changes on top of the copied rows counted here.
  /**
   * Records the snapshot; a change of state also makes a `sync.state_changed` event, in the same statement (a
   * retried recording finds the state already changed, and makes none).
   */
  async recordSnapshot(s: SyncSnapshot): Promise<void> {
    const copied = copiedTotals(s);
    const eventId = newEventId();
    await this.db.query(
      `WITH before AS (
         SELECT state FROM jobs WHERE id = $1 AND kind = 'sync'
       ), job AS (
         UPDATE jobs SET state = $2, run = $3, snapshot = $4, updated_at = clock_timestamp()
          WHERE id = $1 AND kind = 'sync' AND run <= $3 RETURNING id, tenant_id
       ), event AS (
         INSERT INTO events (id, tenant_id, type, subject, dedupe_key, payload)
         SELECT $10, job.tenant_id, 'sync.state_changed', job.id, $10,
                jsonb_build_object('syncId', job.id, 'run', $3::int, 'from', before.state, 'to', $2::text, 'phase', $11::text, 'error', $9::jsonb)
           FROM job, before WHERE before.state <> $2
       )
       INSERT INTO job_runs (job_id, run, state, started_at, ended_at, records, bytes, error)
       SELECT id, $3, $2, $5, $6, $7, $8, $9 FROM job WHERE $3 >= 1
       ON CONFLICT (job_id, run) DO UPDATE SET state = EXCLUDED.state, started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
         records = greatest(job_runs.records, EXCLUDED.records), bytes = greatest(job_runs.bytes, EXCLUDED.bytes), error = EXCLUDED.error`,
      [s.jobId, s.state, s.run, s, s.runStartedAt, s.finishedAt, copied.rows, copied.bytes, s.error, eventId, s.phase],
    );
  }

  /** The sync's instances, newest first. */
  async instances(jobId: string): Promise<SyncInstance[]> {
    const res = await this.db.query<SyncInstance>(
      `SELECT run, state, started_at AS "startedAt", ended_at AS "endedAt",
              (extract(epoch FROM coalesce(ended_at, clock_timestamp()) - started_at) * 1000)::float8 AS "durationMs",
              records::float8 AS records, bytes::float8 AS bytes, error
         FROM job_runs WHERE job_id = $1 ORDER BY run DESC`,
      [jobId],
    );
    return res.rows;
  }

  /** Removes the sync with its instances and metrics (they cascade). */
  async delete(tenantId: string, jobId: string): Promise<void> {
    await this.db.query(`DELETE FROM jobs WHERE tenant_id = $1 AND id = $2 AND kind = 'sync'`, [tenantId, jobId]);
  }
}
