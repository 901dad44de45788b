// A tenant's webhook endpoints and their signing secrets, kept encrypted (store/secret-box.ts) and bound to their
// endpoint: a ciphertext copied to another row does not decrypt.
import { randomBytes } from 'node:crypto';
import { SECRET_PREFIX, type WebhookBody } from '../domain/webhook-endpoint';
import type { NotificationEvent } from '../domain/notification-events';
import type { Queryable } from './connections';
import type { KeyRing, Sealed } from './secret-box';

export interface WebhookRecord {
  id: string;
  tenantId: string;
  url: string;
  description: string | null;
  events: NotificationEvent[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  /** When the secret rotated out last stops being valid; null when only one secret is. */
  previousSecretValidUntil: Date | null;
}

export interface StoredSecret {
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
  createdAt: string;
  expiresAt: string | null;
}

interface Row {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  events: NotificationEvent[];
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  created_at: Date;
  secrets: StoredSecret[];
}

export const webhookSecretAad = (tenantId: string, id: string) => JSON.stringify(['webhook', tenantId, id]);
/** A stored secret as the key ring reads it (the jsonb holds base64). */
export const storedToSealed = (s: StoredSecret): Sealed =>
  ({ keyId: s.keyId, iv: Buffer.from(s.iv, 'base64'), tag: Buffer.from(s.tag, 'base64'), ciphertext: Buffer.from(s.ciphertext, 'base64') });
export const sealedToStored = (s: Sealed) =>
  ({ keyId: s.keyId, iv: s.iv.toString('base64'), tag: s.tag.toString('base64'), ciphertext: s.ciphertext.toString('base64') });
const newSecret = () => `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
const valid = (s: StoredSecret, now: Date) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime();

function toRecord(r: Row, now = new Date()): WebhookRecord {
  const previous = r.secrets.slice(1).filter((s) => valid(s, now));
  return {
    id: r.id, tenantId: r.tenant_id, url: r.url, description: r.description, events: r.events, enabled: r.enabled,
    disabledReason: r.disabled_reason, disabledAt: r.disabled_at, createdAt: r.created_at,
    previousSecretValidUntil: previous.length ? new Date(Math.max(...previous.map((s) => Date.parse(s.expiresAt!)))) : null,
  };
}

export class WebhookStore {
  constructor(private readonly db: Queryable, private readonly keys: KeyRing) {}

  /** Registers an endpoint; answers with its signing secret, which is shown this once. */
  async create(tenantId: string, body: WebhookBody): Promise<{ webhook: WebhookRecord; secret: string }> {
    const id = `wh_${randomBytes(10).toString('hex')}`;
    const secret = newSecret();
    const res = await this.db.query<Row>(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, description, events, secrets) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [id, tenantId, body.url, body.description ?? null, body.events, JSON.stringify([this.seal(tenantId, id, secret)])],
    );
    return { webhook: toRecord(res.rows[0]), secret };
  }

  async get(tenantId: string, id: string): Promise<WebhookRecord | null> {
    const res = await this.db.query<Row>('SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return res.rows[0] ? toRecord(res.rows[0]) : null;
  }

  async list(tenantId: string): Promise<WebhookRecord[]> {
    const res = await this.db.query<Row>('SELECT * FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id', [tenantId]);
    return res.rows.map((r) => toRecord(r));
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const res = await this.db.query('DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return res.rowCount === 1;
  }

  /**
   * A new secret signs from now on; the ones before stay valid for `previousValidSeconds` (deliveries carry a
   * signature by each valid secret). Null when there is no such endpoint.
   */
  async rotateSecret(tenantId: string, id: string, previousValidSeconds: number): Promise<{ webhook: WebhookRecord; secret: string } | null> {
    const secret = newSecret();
    const now = new Date();
    const until = new Date(now.getTime() + previousValidSeconds * 1000).toISOString();
    const res = await this.db.query<Row>(
      // Secrets already rotated out keep their own end; the one in use until now ends at `until`.
      `UPDATE webhook_endpoints SET updated_at = clock_timestamp(),
              secrets = jsonb_build_array($3::jsonb) || (
                SELECT coalesce(jsonb_agg(CASE WHEN s.n = 1 THEN s.secret || jsonb_build_object('expiresAt', $4::text) ELSE s.secret END ORDER BY s.n), '[]'::jsonb)
                  FROM jsonb_array_elements(secrets) WITH ORDINALITY AS s(secret, n)
                 WHERE s.n = 1 OR (s.secret->>'expiresAt')::timestamptz > clock_timestamp())
        WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [tenantId, id, JSON.stringify(this.seal(tenantId, id, secret, now)), until],
    );
    return res.rows[0] ? { webhook: toRecord(res.rows[0]), secret } : null;
  }

  /** The endpoint's valid secrets, newest first, decrypted to sign a delivery. */
  async signingSecrets(tenantId: string, id: string): Promise<string[]> {
    const res = await this.db.query<Pick<Row, 'secrets'>>('SELECT secrets FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    const now = new Date();
    return (res.rows[0]?.secrets ?? []).filter((s) => valid(s, now)).map((s) =>
      this.keys.decrypt(storedToSealed(s), webhookSecretAad(tenantId, id)),
    );
  }

  private seal(tenantId: string, id: string, secret: string, now = new Date()): StoredSecret {
    return { ...sealedToStored(this.keys.encrypt(secret, webhookSecretAad(tenantId, id))), createdAt: now.toISOString(), expiresAt: null };
  }
}
