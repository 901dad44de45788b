// What Prometheus is shown of the whole fleet, read from Sluice's database when it scrapes (so every API process
// reports the same figures, and none depends on which jobs its own process ran).
import type { Pool } from 'pg';

export interface SyncLag {
  syncId: string;
  tenantId: string;
  state: string;
  idleMs: number | null;
  emitMs: number | null;
  retainedWalBytes: number | null;
}

export class FleetStats {
  constructor(private readonly db: Pool) {}

  async jobsByState(): Promise<{ kind: string; state: string; count: number }[]> {
    const res = await this.db.query<{ kind: string; state: string; count: number }>('SELECT kind, state, count(*)::int AS count FROM jobs GROUP BY kind, state');
    return res.rows;
  }

  /** Jobs waiting for a running slot. */
  async queueLength(): Promise<number> {
    const res = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_slots WHERE granted_at IS NULL');
    return res.rows[0].n;
  }

  /** The newest sample of each sync that is not over (Running, Initializing, Paused). */
  async syncLag(): Promise<SyncLag[]> {
    const res = await this.db.query<SyncLag>(
      `SELECT j.id AS "syncId", j.tenant_id AS "tenantId", j.state, m.idle_ms::float8 AS "idleMs", m.emit_ms::float8 AS "emitMs",
              m.retained_wal_bytes::float8 AS "retainedWalBytes"
         FROM jobs j
         CROSS JOIN LATERAL (SELECT idle_ms, emit_ms, retained_wal_bytes FROM sync_metrics WHERE job_id = j.id ORDER BY at DESC LIMIT 1) m
        WHERE j.kind = 'sync' AND j.state IN ('Initializing', 'Running', 'Paused')`,
    );
    return res.rows;
  }
}
