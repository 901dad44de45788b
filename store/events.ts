// Events (written with the status change that made them, see JobStore.recordSnapshot) and their webhook
// deliveries: each event becomes one delivery per enabled endpoint of its tenant that subscribes to its type.
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

export const newEventId = () => `evt_${randomBytes(10).toString('hex')}`;

export interface DeliveryRef {
  deliveryId: string;
  tenantId: string;
  endpointId: string;
}

export interface DeliveryWork {
  deliveryId: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed';
  event: { id: string; type: string; subject: string; payload: Record<string, unknown>; createdAt: Date };
  endpoint: { id: string; tenantId: string; url: string; enabled: boolean } | null;
}

export interface AttemptRecord {
  attempt: number;
  at: Date;
  status: number | null;
  error: string | null;
  responsePrefix: string | null;
  durationMs: number | null;
}

export interface DeliveryRecord {
  id: string;
  eventId: string;
  eventType: string;
  subject: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: AttemptRecord[];
  createdAt: Date;
}

export class EventStore {
  constructor(private readonly db: Pool) {}

  /**
   * Turns events not handed out yet into deliveries and marks them handed out, in one statement (several workers
   * may run this at once: each event is claimed by one). Returns the deliveries made.
   */
  async dispatch(limit = 100): Promise<DeliveryRef[]> {
    const res = await this.db.query<DeliveryRef>(
      `WITH claimed AS (
         SELECT id, tenant_id, type FROM events WHERE dispatched_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED
       ), made AS (
         INSERT INTO webhook_deliveries (id, event_id, endpoint_id)
         SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), c.id, w.id
           FROM claimed c JOIN webhook_endpoints w ON w.tenant_id = c.tenant_id AND w.enabled AND c.type = ANY (w.events)
         ON CONFLICT (event_id, endpoint_id) DO NOTHING
         RETURNING id, event_id, endpoint_id
       ), handed AS (
         UPDATE events SET dispatched_at = clock_timestamp() WHERE id IN (SELECT id FROM claimed)
       )
       SELECT m.id AS "deliveryId", c.tenant_id AS "tenantId", m.endpoint_id AS "endpointId" FROM made m JOIN claimed c ON c.id = m.event_id`,
      [limit],
    );
    return res.rows;
  }

  /** Deliveries made but never attempted for `olderThanSeconds`: their workflow did not start (a crash between). */
  async unstarted(olderThanSeconds: number): Promise<DeliveryRef[]> {
    const res = await this.db.query<DeliveryRef>(
      `SELECT d.id AS "deliveryId", e.tenant_id AS "tenantId", d.endpoint_id AS "endpointId"
         FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
        WHERE d.status = 'pending' AND d.attempts = 0 AND d.created_at < clock_timestamp() - make_interval(secs => $1)
        LIMIT 100`,
      [olderThanSeconds],
    );
    return res.rows;
  }

  async work(deliveryId: string): Promise<DeliveryWork | null> {
    const res = await this.db.query(
      `SELECT d.id, d.attempts, d.status, e.id AS event_id, e.type, e.subject, e.payload, e.created_at,
              w.id AS endpoint_id, w.tenant_id, w.url, w.enabled
         FROM webhook_deliveries d JOIN events e ON e.id = d.event_id LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id
        WHERE d.id = $1`,
      [deliveryId],
    );
    const r = res.rows[0];
    if (!r) return null;
    return {
      deliveryId: r.id, attempts: r.attempts, status: r.status,
      event: { id: r.event_id, type: r.type, subject: r.subject, payload: r.payload, createdAt: r.created_at },
      endpoint: r.endpoint_id ? { id: r.endpoint_id, tenantId: r.tenant_id, url: r.url, enabled: r.enabled } : null,
    };
  }

  /** Records attempt `attempt` (idempotent: a retried activity records it once) and the delivery's new status. */
  async recordAttempt(deliveryId: string, a: Omit<AttemptRecord, 'at'>, status: DeliveryRecord['status']): Promise<void> {
    await this.db.query(
      `WITH attempt AS (
         INSERT INTO webhook_attempts (delivery_id, attempt, status, error, response_prefix, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (delivery_id, attempt) DO UPDATE SET at = clock_timestamp(), status = EXCLUDED.status, error = EXCLUDED.error,
           response_prefix = EXCLUDED.response_prefix, duration_ms = EXCLUDED.duration_ms
       )
       UPDATE webhook_deliveries SET attempts = greatest(attempts, $2), status = $7, updated_at = clock_timestamp() WHERE id = $1`,
      [deliveryId, a.attempt, a.status, a.error, a.responsePrefix, a.durationMs, status],
    );
  }

  /** A delivery sent again by hand: pending once more, its attempts counting on from those before. */
  async reopen(tenantId: string, endpointId: string, deliveryId: string): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE webhook_deliveries d SET status = 'pending', updated_at = clock_timestamp()
         FROM webhook_endpoints w WHERE d.id = $3 AND d.endpoint_id = $2 AND w.id = d.endpoint_id AND w.tenant_id = $1`,
      [tenantId, endpointId, deliveryId],
    );
    return res.rowCount === 1;
  }

  /** The endpoint's deliveries, newest first, each with its attempts. */
  async deliveries(tenantId: string, endpointId: string, limit: number): Promise<DeliveryRecord[]> {
    const res = await this.db.query<DeliveryRecord>(
      `SELECT d.id, e.id AS "eventId", e.type AS "eventType", e.subject, d.status, d.created_at AS "createdAt",
              coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'at', a.at, 'status', a.status, 'error', a.error,
                                'responsePrefix', a.response_prefix, 'durationMs', a.duration_ms) ORDER BY a.attempt)
                          FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb) AS attempts
         FROM webhook_deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.id = d.endpoint_id
        WHERE w.tenant_id = $1 AND w.id = $2
        ORDER BY d.created_at DESC, d.id DESC LIMIT $3`,
      [tenantId, endpointId, limit],
    );
    return res.rows.map((r) => ({ ...r, attempts: r.attempts.map((a) => ({ ...a, at: new Date(a.at) })) }));
  }

  /** The endpoint's last `count` finished deliveries all failed (so it should be disabled). */
  async failingStreak(endpointId: string, count: number): Promise<boolean> {
    const res = await this.db.query<{ failed: number; n: number }>(
      `SELECT count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*)::int AS n FROM (
         SELECT status FROM webhook_deliveries WHERE endpoint_id = $1 AND status <> 'pending' ORDER BY updated_at DESC LIMIT $2) last`,
      [endpointId, count],
    );
    return res.rows[0].n === count && res.rows[0].failed === count;
  }

  async disableEndpoint(endpointId: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, disabled_at = clock_timestamp(), updated_at = clock_timestamp() WHERE id = $1 AND enabled`,
      [endpointId, reason],
    );
  }
}
