// The log both notification channels keep, one table of deliveries (an event to one webhook endpoint or email
// recipient) and one of their attempts each: recording an attempt and reading an owner's log are the same
// statements over other tables and attempt columns. Names here are constants of this module, never input.
import type { Queryable } from './connections';

export interface DeliveryTables {
  deliveries: string;
  attempts: string;
  owners: string;
  /** The deliveries' column naming their owner (endpoint or recipient). */
  ownerColumn: string;
  /** What an attempt holds besides its number and time: field in the log → column. */
  fields: Record<string, string>;
}

export const WEBHOOK_LOG: DeliveryTables = {
  deliveries: 'webhook_deliveries', attempts: 'webhook_attempts', owners: 'webhook_endpoints', ownerColumn: 'endpoint_id',
  fields: { status: 'status', error: 'error', responsePrefix: 'response_prefix', durationMs: 'duration_ms' },
};

export const EMAIL_LOG: DeliveryTables = {
  deliveries: 'email_deliveries', attempts: 'email_attempts', owners: 'email_recipients', ownerColumn: 'recipient_id',
  fields: { smtpCode: 'smtp_code', error: 'error', response: 'response', durationMs: 'duration_ms' },
};

export interface LoggedDelivery<A> {
  id: string;
  eventId: string;
  eventType: string;
  subject: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: (A & { attempt: number; at: Date })[];
  createdAt: Date;
}

/** Records attempt `attempt` (idempotent: a retried activity records it once) and the delivery's new status. */
export async function recordAttempt(db: Queryable, t: DeliveryTables, deliveryId: string, a: { attempt: number } & Record<string, unknown>, status: string): Promise<void> {
  const columns = Object.values(t.fields);
  const params = columns.map((_, i) => `$${i + 3}`);
  await db.query(
    `WITH attempt AS (
       INSERT INTO ${t.attempts} (delivery_id, attempt, ${columns.join(', ')}) VALUES ($1, $2, ${params.join(', ')})
       ON CONFLICT (delivery_id, attempt) DO UPDATE SET at = clock_timestamp(), ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
     )
     UPDATE ${t.deliveries} SET attempts = greatest(attempts, $2), status = $${columns.length + 3}, updated_at = clock_timestamp() WHERE id = $1`,
    [deliveryId, a.attempt, ...Object.keys(t.fields).map((f) => a[f] ?? null), status],
  );
}

/** The owner's deliveries, newest first, each with its attempts. */
export async function deliveryLog<A>(db: Queryable, t: DeliveryTables, tenantId: string, ownerId: string, limit: number): Promise<LoggedDelivery<A>[]> {
  const fields = Object.entries(t.fields).map(([f, c]) => `'${f}', a.${c}`).join(', ');
  const res = await db.query<LoggedDelivery<A>>(
    `SELECT d.id, e.id AS "eventId", e.type AS "eventType", e.subject, d.status, d.created_at AS "createdAt",
            coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'at', a.at, ${fields}) ORDER BY a.attempt)
                        FROM ${t.attempts} a WHERE a.delivery_id = d.id), '[]'::jsonb) AS attempts
       FROM ${t.deliveries} d JOIN events e ON e.id = d.event_id JOIN ${t.owners} o ON o.id = d.${t.ownerColumn}
      WHERE o.tenant_id = $1 AND o.id = $2
      ORDER BY d.created_at DESC, d.id DESC LIMIT $3`,
    [tenantId, ownerId, limit],
  );
  return res.rows.map((r) => ({ ...r, attempts: r.attempts.map((a) => ({ ...a, at: new Date(a.at) })) }));
}
