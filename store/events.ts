// Events (written with the status change that made them, see JobStore.recordSnapshot) and their webhook
// deliveries: each event becomes one delivery per enabled endpoint of its tenant that subscribes to its type,
// and one email delivery per recipient that does (store/email.ts keeps those).
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { deliveryLog, recordAttempt, WEBHOOK_LOG } from './delivery-log';

export const newEventId = () => `evt_${randomBytes(10).toString('hex')}`;

export interface DeliveryRef {
  deliveryId: string;
  tenantId: string;
  endpointId: string;
}

/** A delivery made by dispatch: to a webhook endpoint, or (endpointId the recipient's) by email. */
export type ChannelDeliveryRef = DeliveryRef & { channel: 'webhook' | 'email' };

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

/**
 * SQL true when the request of job or sync `job` names webhook endpoint `endpoint` in its notify.webhooks for
 * events of type `type` (notify.events).
 */
export const namedByRequest = (job: string, endpoint: string, type: string) =>
  `(coalesce(${job}.request -> 'notify' -> 'webhooks', '[]') ? ${endpoint}.id AND ${job}.request -> 'notify' -> 'events' ? ${type})`;

export class EventStore {
  constructor(private readonly db: Pool) {}

  /**
   * Turns events not handed out yet into deliveries (webhook and email) and marks them handed out, in one
   * statement (several workers may run this at once: each event is claimed by one). Returns the deliveries made.
   */
  async dispatch(limit = 100): Promise<ChannelDeliveryRef[]> {
    const res = await this.db.query<ChannelDeliveryRef>(
      `WITH claimed AS (
         SELECT id, tenant_id, type, subject FROM events WHERE dispatched_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED
       ), made AS (
         INSERT INTO webhook_deliveries (id, event_id, endpoint_id)
         SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), c.id, w.id
           FROM claimed c LEFT JOIN jobs j ON j.id = c.subject
           JOIN webhook_endpoints w ON w.tenant_id = c.tenant_id AND w.enabled AND (c.type = ANY (w.events) OR ${namedByRequest('j', 'w', 'c.type')})
         ON CONFLICT (event_id, endpoint_id) DO NOTHING
         RETURNING id, event_id, endpoint_id
       ), mailed AS (
         INSERT INTO email_deliveries (id, event_id, recipient_id)
         SELECT 'eml_' || replace(gen_random_uuid()::text, '-', ''), c.id, r.id
           FROM claimed c JOIN email_recipients r ON r.tenant_id = c.tenant_id AND c.type = ANY (r.events) AND (r.subject IS NULL OR r.subject = c.subject)
         ON CONFLICT (event_id, recipient_id) DO NOTHING
         RETURNING id, event_id, recipient_id
       ), handed AS (
         UPDATE events SET dispatched_at = clock_timestamp() WHERE id IN (SELECT id FROM claimed)
       )
       SELECT m.id AS "deliveryId", c.tenant_id AS "tenantId", m.endpoint_id AS "endpointId", 'webhook' AS channel FROM made m JOIN claimed c ON c.id = m.event_id
       UNION ALL
       SELECT m.id, c.tenant_id, m.recipient_id, 'email' FROM mailed m JOIN claimed c ON c.id = m.event_id`,
      [limit],
    );
    return res.rows;
  }

  /** Deliveries made but never attempted for `olderThanSeconds`: their workflow did not start (a crash between). */
  async unstarted(olderThanSeconds: number): Promise<ChannelDeliveryRef[]> {
    const res = await this.db.query<ChannelDeliveryRef>(
      `(SELECT d.id AS "deliveryId", e.tenant_id AS "tenantId", d.endpoint_id AS "endpointId", 'webhook' AS channel
          FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.status = 'pending' AND d.attempts = 0 AND d.created_at < clock_timestamp() - make_interval(secs => $1)
         LIMIT 100)
       UNION ALL
       (SELECT d.id, e.tenant_id, d.recipient_id, 'email'
          FROM email_deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.status = 'pending' AND d.attempts = 0 AND d.created_at < clock_timestamp() - make_interval(secs => $1)
         LIMIT 100)`,
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
    await recordAttempt(this.db, WEBHOOK_LOG, deliveryId, { ...a }, status);
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
  deliveries(tenantId: string, endpointId: string, limit: number): Promise<DeliveryRecord[]> {
    return deliveryLog<Omit<AttemptRecord, 'attempt' | 'at'>>(this.db, WEBHOOK_LOG, tenantId, endpointId, limit);
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
