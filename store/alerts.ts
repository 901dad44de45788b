// Sync alerts: opened once while their rule fires, resolved when it stops; each change writes its event
// (sync.alert, sync.alert_resolved) in the same statement, so notifications follow exactly.
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { FiringAlert, SyncAlertKind } from '../domain/sync-alerts';
import type { SyncState } from '../domain/lifecycle';
import type { SyncRequest } from '../domain/sync-request';

export interface AlertRecord {
  id: string;
  syncId: string;
  run: number;
  kind: SyncAlertKind;
  message: string;
  openedAt: Date;
  resolvedAt: Date | null;
}

export interface WatchedSync {
  id: string;
  tenantId: string;
  state: SyncState;
  run: number;
  request: SyncRequest;
}

const RECORD = `id, sync_id AS "syncId", run, kind, message, opened_at AS "openedAt", resolved_at AS "resolvedAt"`;
const EVENT = (type: string) => `INSERT INTO events (id, tenant_id, type, subject, dedupe_key, payload)
  SELECT 'evt_' || replace(gen_random_uuid()::text, '-', ''), tenant_id, '${type}', sync_id, '${type}/' || id,
         jsonb_build_object('alertId', id, 'syncId', sync_id, 'run', run, 'kind', kind, 'message', message, 'value', value, 'threshold', threshold,
                           'openedAt', opened_at, 'resolvedAt', resolved_at)`;

export class AlertStore {
  constructor(private readonly db: Pool) {}

  /** Syncs whose alerts are looked at: not yet over, or Failed (its alert resolves on restart). */
  async watchedSyncs(): Promise<WatchedSync[]> {
    const res = await this.db.query<WatchedSync>(
      `SELECT id, tenant_id AS "tenantId", state, run, request FROM jobs WHERE kind = 'sync' AND state IN ('Initializing', 'Running', 'Paused', 'Failed')`,
    );
    return res.rows;
  }

  /** Opens each firing alert not open yet and resolves the open ones that no longer fire. */
  async reconcile(sync: WatchedSync, firing: FiringAlert[]): Promise<void> {
    for (const f of firing) {
      await this.db.query(
        `WITH opened AS (
           INSERT INTO alerts (id, tenant_id, sync_id, run, kind, message, value, threshold) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (sync_id, kind) WHERE resolved_at IS NULL DO NOTHING RETURNING *
         ) ${EVENT('sync.alert')} FROM opened`,
        [`alr_${randomBytes(10).toString('hex')}`, sync.tenantId, sync.id, sync.run, f.kind, f.message, f.value, f.threshold],
      );
    }
    await this.db.query(
      `WITH resolved AS (
         UPDATE alerts SET resolved_at = date_trunc('milliseconds', clock_timestamp())
          WHERE sync_id = $1 AND resolved_at IS NULL AND NOT (kind = ANY ($2)) RETURNING *
       ) ${EVENT('sync.alert_resolved')} FROM resolved`,
      [sync.id, firing.map((f) => f.kind)],
    );
  }

  /** The tenant's open alerts, and those resolved in the last `recentDays`; newest first. */
  async list(tenantId: string, o: { openOnly: boolean; recentDays: number }): Promise<AlertRecord[]> {
    const res = await this.db.query<AlertRecord>(
      `SELECT ${RECORD} FROM alerts WHERE tenant_id = $1
          AND (resolved_at IS NULL OR (NOT $2 AND resolved_at > clock_timestamp() - make_interval(days => $3)))
        ORDER BY opened_at DESC, id DESC LIMIT 500`,
      [tenantId, o.openOnly, o.recentDays],
    );
    return res.rows;
  }
}
