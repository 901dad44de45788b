// API keys: made, listed, rotated and revoked by the admin surface (the `sluice` CLI and /admin/v1 both call
// this), and checked on every API request. A key is shown once, when it is made; only its SHA-256 is kept.
// A fast unsalted hash is enough for keys of 192 random bits: neither guessing nor a precomputed table gets
// anywhere near 2^192, whereas a slow password hash (bcrypt, scrypt) is for guessable secrets and would cost
// every request tens of milliseconds. Being deterministic, it also lets a request's key be found by an index.
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { ApiKeyRecord, NewKey } from '../domain/api-key';

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
const newKey = () => `sk_${randomBytes(24).toString('base64url')}`;
const newKeyId = () => `key_${randomBytes(10).toString('hex')}`;

interface Row {
  id: string;
  tenant_id: string;
  label: string;
  allowed_cidrs: string[];
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  rotated_to: string | null;
}

const COLUMNS = 'id, tenant_id, label, allowed_cidrs, created_at, expires_at, revoked_at, last_used_at, rotated_to';
const K_COLUMNS = COLUMNS.replace(/\w+/g, 'k.$&');

const toRecord = (r: Row): ApiKeyRecord => ({
  id: r.id, tenantId: r.tenant_id, label: r.label, allowedCidrs: r.allowed_cidrs, createdAt: r.created_at,
  expiresAt: r.expires_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at, rotatedTo: r.rotated_to,
});

/** What a request's key comes to: whose it is, whether it still holds, where it may be used from. */
export interface KeyCheck {
  id: string;
  tenant: { id: string; name: string };
  state: 'valid' | 'expired' | 'revoked';
  allowedCidrs: string[];
  /** last_used_at is over a minute old: touch() it. */
  touchDue: boolean;
}

export type Rotation = { key: string; record: ApiKeyRecord; previous: ApiKeyRecord } | { refused: string };

export class ApiKeyStore {
  constructor(private readonly db: Pool) {}

  /** A new key for the tenant (null: no such tenant); `key` is shown this once. */
  async create(k: NewKey): Promise<{ key: string; record: ApiKeyRecord } | null> {
    const key = newKey();
    const res = await this.db.query<Row>(
      `INSERT INTO api_keys (id, key_hash, tenant_id, label, allowed_cidrs, expires_at)
       SELECT $1, $2, id, $3, $4, now() + $5::integer * interval '1 second' FROM tenants WHERE id = $6
       RETURNING ${COLUMNS}`,
      [newKeyId(), hashKey(key), k.label, k.allowedCidrs, k.expiresIn ?? null, k.tenant],
    );
    return res.rows[0] ? { key, record: toRecord(res.rows[0]) } : null;
  }

  /** Registers a known key once (the dev stack keeps its demo key across runs). */
  async add(tenantId: string, key: string, label: string): Promise<void> {
    await this.db.query('INSERT INTO api_keys (id, key_hash, tenant_id, label) VALUES ($1, $2, $3, $4) ON CONFLICT (key_hash) DO NOTHING', [
      newKeyId(), hashKey(key), tenantId, label,
    ]);
  }

  /** The tenant's keys, oldest first; null when there is no such tenant. */
  async list(tenantId: string): Promise<ApiKeyRecord[] | null> {
    const res = await this.db.query<Row>(
      `SELECT ${K_COLUMNS}
         FROM tenants t LEFT JOIN api_keys k ON k.tenant_id = t.id WHERE t.id = $1 ORDER BY k.created_at, k.id`,
      [tenantId],
    );
    if (!res.rows.length) return null;
    return res.rows.filter((r) => r.id !== null).map(toRecord);
  }

  /**
   * A new key with the old one's tenant, label, ranges and lifetime; the old one stays valid `graceSeconds` more
   * (no longer than it would have anyway). Null: no such key. A revoked, expired or already rotated key is refused.
   */
  async rotate(id: string, graceSeconds: number): Promise<Rotation | null> {
    const tx = await this.db.connect();
    try {
      await tx.query('BEGIN');
      const old = await tx.query<Row & { expired: boolean }>(`SELECT ${COLUMNS}, expires_at <= now() AS expired FROM api_keys WHERE id = $1 FOR UPDATE`, [id]);
      const o = old.rows[0];
      const refused = !o ? null
        : o.revoked_at ? `key ${id} was revoked; make a new key instead`
        : o.expired ? `key ${id} has expired; make a new key instead`
        : o.rotated_to ? `key ${id} was rotated already, to ${o.rotated_to}; rotate that one`
        : null;
      if (!o || refused) {
        await tx.query('ROLLBACK');
        return o ? { refused: refused! } : null;
      }
      const key = newKey();
      const made = await tx.query<Row>(
        `INSERT INTO api_keys (id, key_hash, tenant_id, label, allowed_cidrs, expires_at)
         SELECT $1, $2, tenant_id, label, allowed_cidrs, now() + (expires_at - created_at) FROM api_keys WHERE id = $3
         RETURNING ${COLUMNS}`,
        [newKeyId(), hashKey(key), id],
      );
      const previous = await tx.query<Row>(
        `UPDATE api_keys SET rotated_to = $2, expires_at = LEAST(expires_at, now() + $3::integer * interval '1 second') WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, made.rows[0].id, graceSeconds],
      );
      await tx.query('COMMIT');
      return { key, record: toRecord(made.rows[0]), previous: toRecord(previous.rows[0]) };
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined); // the error that matters is err
      throw err;
    } finally {
      tx.release();
    }
  }

  /** Revokes the key from now on (again: keeps the first time); null when there is no such key. */
  async revoke(id: string): Promise<ApiKeyRecord | null> {
    const res = await this.db.query<Row>(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    return res.rows[0] ? toRecord(res.rows[0]) : null;
  }

  /** The key a request carries, by its hash; null when no key is. Expiry is judged by the database's clock. */
  check(key: string): Promise<KeyCheck | null> {
    return this.checkWhere('k.key_hash = $1', hashKey(key));
  }

  /** The same, by the key's id (a download link names the key it was made for). */
  checkById(id: string): Promise<KeyCheck | null> {
    return this.checkWhere('k.id = $1', id);
  }

  private async checkWhere(where: string, value: string): Promise<KeyCheck | null> {
    const res = await this.db.query<{ id: string; tenant_id: string; tenant_name: string; allowed_cidrs: string[]; revoked: boolean; expired: boolean; touch_due: boolean }>(
      `SELECT k.id, k.tenant_id, t.name AS tenant_name, k.allowed_cidrs, k.revoked_at IS NOT NULL AS revoked,
              coalesce(k.expires_at <= now(), false) AS expired,
              coalesce(k.last_used_at < now() - interval '1 minute', true) AS touch_due
         FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE ${where}`,
      [value],
    );
    const r = res.rows[0];
    if (!r) return null;
    return {
      id: r.id, tenant: { id: r.tenant_id, name: r.tenant_name }, allowedCidrs: r.allowed_cidrs, touchDue: r.touch_due,
      state: r.revoked ? 'revoked' : r.expired ? 'expired' : 'valid',
    };
  }

  /** Notes a use; at most one write a minute per key, also when several API processes race. */
  async touch(id: string): Promise<void> {
    await this.db.query(
      "UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
      [id],
    );
  }
}
