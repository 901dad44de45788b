// Re-encrypts every secret kept at rest (connection URLs, webhook signing secrets) under the key ring's first
// key, so that the older keys can leave SLUICE_SECRET_KEYS. In batches, each its own transaction: a run stopped
// midway keeps what it did, and the next run takes up only what is left (rows under the first key are skipped).
// Two runs at once do not clash: a batch locks its rows, and a row re-encrypted meanwhile no longer qualifies.
import type { ClientBase } from 'pg';
import { connectionUrlAad } from './connections';
import type { KeyRing } from './secret-box';
import { sealedToStored, storedToSealed, webhookSecretAad, type StoredSecret } from './webhooks';

export interface TableRotation {
  table: string;
  /** Rows whose secrets this run re-encrypted. */
  reencrypted: number;
  /** Rows that were under the first key already. */
  alreadyCurrent: number;
}

export interface RotationReport {
  keyId: string;
  tables: TableRotation[];
  /** Keys other than `keyId` that rows still use (written meanwhile by a process with an older key list); empty when every key but `keyId` may go. */
  keysStillUsed: string[];
}

interface SecretTable {
  table: string;
  countCurrent(db: ClientBase, keyId: string): Promise<number>;
  /** Re-encrypts at most `limit` rows with a secret under another key than the ring's first; how many it did. */
  rotateBatch(db: ClientBase, keys: KeyRing, limit: number): Promise<number>;
  keyIdsInUse(db: ClientBase): Promise<string[]>;
}

// A failure names the row, so that an operator can mend or delete it.
function resealing<T>(what: string, reseal: () => T): T {
  try {
    return reseal();
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
}

const count = async (db: ClientBase, sql: string, values: unknown[]) => (await db.query<{ n: number }>(sql, values)).rows[0].n;
const keyIds = async (db: ClientBase, sql: string) => (await db.query<{ keyId: string }>(sql)).rows.map((r) => r.keyId);

const connections: SecretTable = {
  table: 'connections',
  countCurrent: (db, keyId) => count(db, 'SELECT count(*)::int AS n FROM connections WHERE key_id = $1', [keyId]),
  async rotateBatch(db, keys, limit) {
    const rows = (await db.query<{ tenantId: string; name: string; keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer }>(
      `SELECT tenant_id AS "tenantId", name, key_id AS "keyId", url_iv AS iv, url_tag AS tag, url_ciphertext AS ciphertext
         FROM connections WHERE key_id <> $1 ORDER BY tenant_id, name LIMIT $2 FOR UPDATE`,
      [keys.currentId, limit],
    )).rows;
    for (const row of rows) {
      const s = resealing(`connection ${row.tenantId}/${row.name}`, () => keys.reseal(row, connectionUrlAad(row.tenantId, row.name)));
      await db.query('UPDATE connections SET url_ciphertext = $3, url_iv = $4, url_tag = $5, key_id = $6 WHERE tenant_id = $1 AND name = $2',
        [row.tenantId, row.name, s.ciphertext, s.iv, s.tag, s.keyId]);
    }
    return rows.length;
  },
  keyIdsInUse: (db) => keyIds(db, 'SELECT DISTINCT key_id AS "keyId" FROM connections'),
};

// An endpoint keeps several secrets (those rotated out stay valid a while); each is re-encrypted, dates kept.
const OTHER_KEY = `EXISTS (SELECT 1 FROM jsonb_array_elements(secrets) s WHERE s->>'keyId' <> $1)`;
const webhookEndpoints: SecretTable = {
  table: 'webhook_endpoints',
  countCurrent: (db, keyId) => count(db, `SELECT count(*)::int AS n FROM webhook_endpoints WHERE NOT ${OTHER_KEY}`, [keyId]),
  async rotateBatch(db, keys, limit) {
    const rows = (await db.query<{ tenantId: string; id: string; secrets: StoredSecret[] }>(
      `SELECT tenant_id AS "tenantId", id, secrets FROM webhook_endpoints WHERE ${OTHER_KEY} ORDER BY id LIMIT $2 FOR UPDATE`,
      [keys.currentId, limit],
    )).rows;
    for (const row of rows) {
      const aad = webhookSecretAad(row.tenantId, row.id);
      const secrets = row.secrets.map((s) => (s.keyId === keys.currentId ? s
        : { ...s, ...sealedToStored(resealing(`webhook ${row.tenantId}/${row.id}`, () => keys.reseal(storedToSealed(s), aad))) }));
      await db.query('UPDATE webhook_endpoints SET secrets = $2 WHERE id = $1', [row.id, JSON.stringify(secrets)]);
    }
    return rows.length;
  },
  keyIdsInUse: (db) => keyIds(db, `SELECT DISTINCT s->>'keyId' AS "keyId" FROM webhook_endpoints, jsonb_array_elements(secrets) s`),
};

const SECRET_TABLES: readonly SecretTable[] = [connections, webhookEndpoints];

/** `db`: one connection (each batch is a transaction on it). `onBatch` hears the running count of each table. */
export async function rotateSecrets(db: ClientBase, keys: KeyRing, opts: { batchSize?: number; onBatch?: (t: TableRotation) => void } = {}): Promise<RotationReport> {
  const batchSize = opts.batchSize ?? 100;
  const tables: TableRotation[] = [];
  for (const t of SECRET_TABLES) {
    const done: TableRotation = { table: t.table, reencrypted: 0, alreadyCurrent: await t.countCurrent(db, keys.currentId) };
    for (;;) {
      await db.query('BEGIN');
      let n: number;
      try {
        n = await t.rotateBatch(db, keys, batchSize);
        await db.query('COMMIT');
      } catch (err) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      if (n === 0) break;
      done.reencrypted += n;
      opts.onBatch?.(done);
    }
    tables.push(done);
  }
  const used = new Set((await Promise.all(SECRET_TABLES.map((t) => t.keyIdsInUse(db)))).flat());
  used.delete(keys.currentId);
  return { keyId: keys.currentId, tables, keysStillUsed: [...used].sort() };
}
