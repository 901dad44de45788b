// The queue of jobs for running slots, in Sluice's database so that every worker and API process sees one
// queue. Slots are granted inside a transaction under one advisory lock: no slot is given twice, and the
// queue order is the order rows were added.
import type { Pool, PoolClient } from 'pg';
import { jobsToAdmit, waitReason, type QueueEntry, type QueueLimits, type QueueWait } from '../domain/job-queue';

export interface SlotHolder {
  jobId: string;
  workflowId: string;
}

export interface QueuePosition {
  /** 1 for the next job to start; 0 once a slot is granted and the job is starting. */
  position: number;
  waitingFor: QueueWait | null;
}

// Any constants: they name the lock that serialises every change of the queue, and the sweeper's lock.
const QUEUE_LOCK = 0x51_75_65_75;
const SWEEP_LOCK = 0x53_77_65_70;

export class SlotStore {
  constructor(private readonly db: Pool, private readonly limits: QueueLimits) {}

  /** Puts a job in the queue (if it is not there) and grants what the limits allow. */
  async claim(slot: SlotHolder & { tenantId: string }): Promise<{ granted: boolean; admitted: SlotHolder[] }> {
    return this.locked(async (tx) => {
      await tx.query('INSERT INTO job_slots (job_id, tenant_id, workflow_id) VALUES ($1, $2, $3) ON CONFLICT (job_id) DO NOTHING',
        [slot.jobId, slot.tenantId, slot.workflowId]);
      const { holders, admitted } = await this.admit(tx);
      return { granted: holders.has(slot.jobId), admitted };
    });
  }

  /** Takes a job out of the queue, freeing its slot if it held one, and grants what the limits now allow. */
  async release(jobId: string): Promise<SlotHolder[]> {
    return this.locked(async (tx) => {
      await tx.query('DELETE FROM job_slots WHERE job_id = $1', [jobId]);
      return (await this.admit(tx)).admitted;
    });
  }

  /**
   * Slots granted longer ago than `seconds`: candidates for a check that their workflow still runs. `stillQueued`:
   * the job has not left Queued since, so its workflow may have missed the signal of its grant.
   */
  async grantedBefore(seconds: number): Promise<(SlotHolder & { stillQueued: boolean })[]> {
    const res = await this.db.query<SlotHolder & { stillQueued: boolean }>(
      `SELECT s.job_id AS "jobId", s.workflow_id AS "workflowId", j.state = 'Queued' AS "stillQueued"
         FROM job_slots s JOIN jobs j ON j.id = s.job_id
        WHERE s.granted_at < clock_timestamp() - make_interval(secs => $1) ORDER BY s.seq`,
      [seconds],
    );
    return res.rows;
  }

  async position(jobId: string): Promise<QueuePosition | null> {
    const res = await this.db.query<{ granted: boolean; ahead: number; tenantRunning: number; tenantLimit: number | null }>(
      `SELECT me.granted_at IS NOT NULL AS granted,
              (SELECT count(*)::int FROM job_slots q WHERE q.granted_at IS NULL AND q.seq < me.seq) AS ahead,
              (SELECT count(*)::int FROM job_slots t WHERE t.tenant_id = me.tenant_id AND t.granted_at IS NOT NULL) AS "tenantRunning",
              (SELECT running_jobs FROM tenant_limits l WHERE l.tenant_id = me.tenant_id) AS "tenantLimit"
         FROM job_slots me WHERE me.job_id = $1`,
      [jobId],
    );
    const row = res.rows[0];
    if (!row) return null;
    return row.granted ? { position: 0, waitingFor: null } : { position: row.ahead + 1, waitingFor: waitReason(row.tenantRunning, this.limits, row.tenantLimit) };
  }

  // Grants what the limits allow; returns the jobs just admitted and every job now holding a slot.
  /** Runs a sweep unless another process is running one: one sweeper at a time, however many workers. */
  async sweepAlone<T>(sweep: () => Promise<T>): Promise<T | null> {
    const lockHolder = await this.db.connect();
    try {
      const { rows } = await lockHolder.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [SWEEP_LOCK]);
      if (!rows[0].ok) return null;
      try {
        return await sweep();
      } finally {
        await lockHolder.query('SELECT pg_advisory_unlock($1)', [SWEEP_LOCK]);
      }
    } finally {
      lockHolder.release();
    }
  }

  private async admit(tx: PoolClient): Promise<{ admitted: SlotHolder[]; holders: Set<string> }> {
    const res = await tx.query<QueueEntry & { workflowId: string }>(
      `SELECT s.job_id AS "jobId", s.tenant_id AS "tenantId", s.workflow_id AS "workflowId", s.granted_at IS NOT NULL AS granted,
              l.running_jobs AS "tenantLimit"
         FROM job_slots s LEFT JOIN tenant_limits l ON l.tenant_id = s.tenant_id ORDER BY s.seq`,
    );
    const ids = new Set(jobsToAdmit(res.rows, this.limits));
    if (ids.size) await tx.query('UPDATE job_slots SET granted_at = clock_timestamp() WHERE job_id = ANY($1)', [[...ids]]);
    return {
      admitted: res.rows.filter((r) => ids.has(r.jobId)).map(({ jobId, workflowId }) => ({ jobId, workflowId })),
      holders: new Set(res.rows.filter((r) => r.granted || ids.has(r.jobId)).map((r) => r.jobId)),
    };
  }

  private async locked<T>(fn: (tx: PoolClient) => Promise<T>): Promise<T> {
    const tx = await this.db.connect();
    try {
      await tx.query('BEGIN');
      await tx.query('SELECT pg_advisory_xact_lock($1)', [QUEUE_LOCK]);
      const result = await fn(tx);
      await tx.query('COMMIT');
      return result;
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }
}
