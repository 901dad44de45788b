// Each tenant's own limits and what it has used of them: running jobs (slots held), and rows and bytes extracted
// since a day's start (runs of its extraction jobs started since, and its inline answers that day).
import type { Pool } from 'pg';
import type { DailyUsage, OwnLimits, TenantLimitsPatch } from '../domain/tenant-limits';

const COLUMNS: Record<keyof OwnLimits, string> = {
  runningJobs: 'running_jobs', inlineConcurrent: 'inline_concurrent', dailyRows: 'daily_rows', dailyBytes: 'daily_bytes', requestsPerMinute: 'requests_per_minute',
};
const SELECT = Object.entries(COLUMNS).map(([name, column]) => `${column}::float8 AS "${name}"`).join(', ');

const own = (row: Record<string, number | null> | undefined): OwnLimits =>
  Object.fromEntries(Object.entries(row ?? {}).filter(([, v]) => v !== null)) as OwnLimits;

export class TenantLimitStore {
  constructor(private readonly db: Pool) {}

  async get(tenantId: string): Promise<OwnLimits> {
    const res = await this.db.query(`SELECT ${SELECT} FROM tenant_limits WHERE tenant_id = $1`, [tenantId]);
    return own(res.rows[0]);
  }

  /** Sets the limits the patch names (null: back to the default); returns the tenant's own limits after. */
  async set(tenantId: string, patch: TenantLimitsPatch): Promise<OwnLimits> {
    const names = (Object.keys(COLUMNS) as (keyof OwnLimits)[]).filter((n) => patch[n] !== undefined);
    const columns = names.map((n) => COLUMNS[n]);
    const res = await this.db.query(
      `INSERT INTO tenant_limits (tenant_id${columns.map((c) => `, ${c}`).join('')}) VALUES ($1${names.map((_, i) => `, $${i + 2}`).join('')})
       ON CONFLICT (tenant_id) DO UPDATE SET updated_at = clock_timestamp()${columns.map((c) => `, ${c} = EXCLUDED.${c}`).join('')}
       RETURNING ${SELECT}`,
      [tenantId, ...names.map((n) => patch[n])],
    );
    return own(res.rows[0]);
  }

  /** Rows and bytes the tenant extracted from `dayStart` on: its job runs started since, and its inline answers that day. */
  async usedSince(tenantId: string, dayStart: Date): Promise<DailyUsage> {
    const res = await this.db.query<DailyUsage>(
      `WITH runs AS (
         SELECT coalesce(sum(r.records), 0) AS rows, coalesce(sum(r.bytes), 0) AS bytes
           FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.tenant_id = $1 AND j.kind = 'extraction' AND r.started_at >= $2
       ), inline AS (
         SELECT rows, bytes FROM inline_usage WHERE tenant_id = $1 AND day = ($2::timestamptz AT TIME ZONE 'UTC')::date
       )
       SELECT (runs.rows + coalesce(inline.rows, 0))::float8 AS rows, (runs.bytes + coalesce(inline.bytes, 0))::float8 AS bytes
         FROM runs LEFT JOIN inline ON true`,
      [tenantId, dayStart],
    );
    return res.rows[0];
  }

  /** Counts an inline answer's rows and bytes toward its tenant's day. */
  async recordInline(tenantId: string, at: Date, used: DailyUsage): Promise<void> {
    await this.db.query(
      `INSERT INTO inline_usage (tenant_id, day, rows, bytes) VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3, $4)
       ON CONFLICT (tenant_id, day) DO UPDATE SET rows = inline_usage.rows + EXCLUDED.rows, bytes = inline_usage.bytes + EXCLUDED.bytes`,
      [tenantId, at, used.rows, used.bytes],
    );
  }

  /** Jobs of the tenant holding a slot (running, or about to). */
  async runningJobs(tenantId: string): Promise<number> {
    const res = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_slots WHERE tenant_id = $1 AND granted_at IS NOT NULL', [tenantId]);
    return res.rows[0].n;
  }
}
