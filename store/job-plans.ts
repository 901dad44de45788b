// What each run of a job reads, saved when the run is planned (see ReadSpec in domain/plan.ts). A spec for
// (job, run) never changes once the run's parts have started, so a worker may keep what it loaded.
import type { Pool } from 'pg';
import type { ReadSpec } from '../domain/plan';

export class JobPlanStore {
  constructor(private readonly db: Pool) {}

  /** Saves the spec of (job, run). Idempotent: a retried or replayed plan writes its spec again. */
  async save(jobId: string, run: number, spec: ReadSpec): Promise<void> {
    await this.db.query(
      `INSERT INTO job_plans (job_id, run, spec) VALUES ($1, $2, $3)
       ON CONFLICT (job_id, run) DO UPDATE SET spec = EXCLUDED.spec`,
      [jobId, run, JSON.stringify(spec)],
    );
  }

  async get(jobId: string, run: number): Promise<ReadSpec | null> {
    const res = await this.db.query<{ spec: ReadSpec }>('SELECT spec FROM job_plans WHERE job_id = $1 AND run = $2', [jobId, run]);
    return res.rows[0]?.spec ?? null;
  }
}
