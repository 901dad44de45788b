// A tenant's email recipients and their deliveries (made by EventStore.dispatch, one per event and recipient),
// each with its attempts: the SMTP server's reply code and text, or why no reply came.
import { randomBytes } from 'node:crypto';
import type { EmailRecipientBody } from '../domain/email-recipient';
import type { EmailEvent } from '../domain/notification-events';
import type { Queryable } from './connections';
import { deliveryLog, EMAIL_LOG, recordAttempt, type LoggedDelivery } from './delivery-log';

export interface EmailRecipientRecord {
  id: string;
  tenantId: string;
  address: string;
  description: string | null;
  events: EmailEvent[];
  /** The job or sync whose request named it, which alone it hears of; null: every one of the tenant. */
  subject: string | null;
  createdAt: Date;
}

export interface EmailAttemptRecord {
  attempt: number;
  at: Date;
  smtpCode: number | null;
  error: string | null;
  response: string | null;
  durationMs: number | null;
}

export type EmailDeliveryStatus = 'pending' | 'delivered' | 'failed';

export type EmailDeliveryRecord = LoggedDelivery<Omit<EmailAttemptRecord, 'attempt' | 'at'>>;

export interface EmailWork {
  deliveryId: string;
  status: EmailDeliveryStatus;
  event: { id: string; type: string; subject: string; payload: Record<string, unknown>; createdAt: Date };
  recipient: { id: string; tenantId: string; address: string };
}

const RECIPIENT = `id, tenant_id AS "tenantId", address, description, events, subject, created_at AS "createdAt"`;

/**
 * SQL making the addresses of a request's `notify` recipients of the job or sync just inserted by the CTE `job`
 * (it returns id and tenant_id): $addresses text[], $events text[] (none: no recipient is made).
 */
export const requestRecipientsSql = (addresses: string, events: string) => `INSERT INTO email_recipients (id, tenant_id, address, events, subject)
  SELECT 'rcp_' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 20), job.tenant_id, a.address, ${events}::text[], job.id
    FROM job, unnest(${addresses}::text[]) AS a(address) WHERE cardinality(${events}::text[]) > 0`;

export class EmailStore {
  constructor(private readonly db: Queryable) {}

  async create(tenantId: string, body: EmailRecipientBody): Promise<EmailRecipientRecord> {
    const res = await this.db.query<EmailRecipientRecord>(
      `INSERT INTO email_recipients (id, tenant_id, address, description, events) VALUES ($1, $2, $3, $4, $5) RETURNING ${RECIPIENT}`,
      [`rcp_${randomBytes(10).toString('hex')}`, tenantId, body.address, body.description ?? null, body.events],
    );
    return res.rows[0];
  }

  async get(tenantId: string, id: string): Promise<EmailRecipientRecord | null> {
    const res = await this.db.query<EmailRecipientRecord>(`SELECT ${RECIPIENT} FROM email_recipients WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return res.rows[0] ?? null;
  }

  /** The tenant's standing recipients, or those a job's or sync's request named (`subject`: its id). */
  async list(tenantId: string, subject: string | null = null): Promise<EmailRecipientRecord[]> {
    const res = await this.db.query<EmailRecipientRecord>(
      `SELECT ${RECIPIENT} FROM email_recipients WHERE tenant_id = $1 AND subject IS NOT DISTINCT FROM $2 ORDER BY created_at, id`,
      [tenantId, subject],
    );
    return res.rows;
  }

  /** Its deliveries go with it; a delivery workflow in flight then finds nothing to send. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const res = await this.db.query('DELETE FROM email_recipients WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return res.rowCount === 1;
  }

  /** What one delivery sends, and to whom; null when its recipient (and so the delivery) was deleted. */
  async work(deliveryId: string): Promise<EmailWork | null> {
    const res = await this.db.query(
      `SELECT d.id, d.status, e.id AS event_id, e.type, e.subject, e.payload, e.created_at, r.id AS recipient_id, r.tenant_id, r.address
         FROM email_deliveries d JOIN events e ON e.id = d.event_id JOIN email_recipients r ON r.id = d.recipient_id
        WHERE d.id = $1`,
      [deliveryId],
    );
    const r = res.rows[0];
    if (!r) return null;
    return {
      deliveryId: r.id, status: r.status,
      event: { id: r.event_id, type: r.type, subject: r.subject, payload: r.payload, createdAt: r.created_at },
      recipient: { id: r.recipient_id, tenantId: r.tenant_id, address: r.address },
    };
  }

  /** Records attempt `attempt` (a retried recording writes it once) and the delivery's new status. */
  async recordAttempt(deliveryId: string, a: Omit<EmailAttemptRecord, 'at'>, status: EmailDeliveryStatus): Promise<void> {
    await recordAttempt(this.db, EMAIL_LOG, deliveryId, { ...a }, status);
  }

  /** The recipient's deliveries, newest first, each with its attempts. */
  deliveries(tenantId: string, recipientId: string, limit: number): Promise<EmailDeliveryRecord[]> {
    return deliveryLog<Omit<EmailAttemptRecord, 'attempt' | 'at'>>(this.db, EMAIL_LOG, tenantId, recipientId, limit);
  }
}
