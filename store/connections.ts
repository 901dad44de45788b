// A tenant's PostgreSQL connections. The URL is kept only encrypted (store/secret-box.ts), bound to its row
// (tenant and name); the parts that may be shown are kept beside it in clear.
import type { QueryResult, QueryResultRow } from 'pg';
import { describeConnectionUrl, type ConnectionFields, type ConnectionRole } from '../domain/connection';
import { EXTRACTION_STATES, isActive } from '../domain/lifecycle';
import type { KeyRing } from './secret-box';

/** A pool or a client in a transaction. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export interface ConnectionRecord extends ConnectionFields {
  tenantId: string;
  name: string;
  roles: ConnectionRole[];
  queryRole: string | null;
  allowPrivilegedRole: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewConnection {
  name: string;
  roles: readonly ConnectionRole[];
  url: string;
  /** The role query-mode extractions run as (SET ROLE); none: the login role. */
  queryRole?: string | null;
  allowPrivilegedRole?: boolean;
}

/** What an extraction needs to read from a source. */
export interface SourceAccess {
  url: string;
  queryRole: string | null;
}

export interface JobUsingConnection {
  id: string;
  kind: string;
  state: string;
}

export type DeleteOutcome = { outcome: 'deleted' } | { outcome: 'absent' } | { outcome: 'in_use'; usedBy: JobUsingConnection[] };

const ACTIVE_EXTRACTION_STATES = EXTRACTION_STATES.filter((s) => isActive('extraction', s));
const RECORD = `tenant_id AS "tenantId", name, roles, host, port, database, "user", sslmode, query_role AS "queryRole",
  allow_privileged_role AS "allowPrivilegedRole", created_at AS "createdAt", updated_at AS "updatedAt"`;
const INSERT = `INSERT INTO connections (tenant_id, name, roles, host, port, database, "user", sslmode, url_ciphertext, url_iv, url_tag, key_id,
                  query_role, allow_privileged_role)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`;
// The secret belongs to this tenant's connection of this name: a ciphertext copied to another row does not decrypt.
export const connectionUrlAad = (tenantId: string, name: string) => JSON.stringify([tenantId, name]);

export class ConnectionStore {
  constructor(private readonly db: Queryable, private readonly keys: KeyRing) {}

  /** Registers a new connection; null when the tenant already has one of that name. */
  async create(tenantId: string, c: NewConnection): Promise<ConnectionRecord | null> {
    const res = await this.db.query<ConnectionRecord>(`${INSERT} ON CONFLICT (tenant_id, name) DO NOTHING RETURNING ${RECORD}`, this.values(tenantId, c));
    return res.rows[0] ?? null;
  }

  /** Registers the connection or replaces the one of that name (keeping its createdAt). */
  async put(tenantId: string, c: NewConnection): Promise<{ connection: ConnectionRecord; created: boolean }> {
    const res = await this.db.query<ConnectionRecord & { created: boolean }>(
      `${INSERT} ON CONFLICT (tenant_id, name) DO UPDATE SET roles = EXCLUDED.roles, host = EXCLUDED.host, port = EXCLUDED.port,
         database = EXCLUDED.database, "user" = EXCLUDED."user", sslmode = EXCLUDED.sslmode, url_ciphertext = EXCLUDED.url_ciphertext,
         url_iv = EXCLUDED.url_iv, url_tag = EXCLUDED.url_tag, key_id = EXCLUDED.key_id, query_role = EXCLUDED.query_role,
         allow_privileged_role = EXCLUDED.allow_privileged_role, updated_at = clock_timestamp()
       RETURNING ${RECORD}, (xmax = 0) AS created`,
      this.values(tenantId, c),
    );
    const { created, ...connection } = res.rows[0];
    return { connection, created };
  }

  async get(tenantId: string, name: string): Promise<ConnectionRecord | null> {
    const res = await this.db.query<ConnectionRecord>(`SELECT ${RECORD} FROM connections WHERE tenant_id = $1 AND name = $2`, [tenantId, name]);
    return res.rows[0] ?? null;
  }

  async list(tenantId: string): Promise<ConnectionRecord[]> {
    return (await this.db.query<ConnectionRecord>(`SELECT ${RECORD} FROM connections WHERE tenant_id = $1 ORDER BY name`, [tenantId])).rows;
  }

  /** The decrypted URL of the tenant's connection `name` when it has `role`, else null. */
  async url(tenantId: string, name: string, role: ConnectionRole): Promise<string | null> {
    const res = await this.db.query<{ ciphertext: Buffer; iv: Buffer; tag: Buffer; keyId: string }>(
      `SELECT url_ciphertext AS ciphertext, url_iv AS iv, url_tag AS tag, key_id AS "keyId"
         FROM connections WHERE tenant_id = $1 AND name = $2 AND $3 = ANY (roles)`,
      [tenantId, name, role],
    );
    return res.rows[0] ? this.keys.decrypt(res.rows[0], connectionUrlAad(tenantId, name)) : null;
  }

  sourceUrl(tenantId: string, name: string): Promise<string | null> {
    return this.url(tenantId, name, 'source');
  }

  /** The URL and queryRole of the tenant's connection `name` when it has role source, else null. */
  async source(tenantId: string, name: string): Promise<SourceAccess | null> {
    const res = await this.db.query<{ queryRole: string | null }>(
      `SELECT query_role AS "queryRole" FROM connections WHERE tenant_id = $1 AND name = $2 AND 'source' = ANY (roles)`, [tenantId, name]);
    const url = res.rows[0] && (await this.sourceUrl(tenantId, name));
    return url ? { url, queryRole: res.rows[0].queryRole } : null;
  }

  targetUrl(tenantId: string, name: string): Promise<string | null> {
    return this.url(tenantId, name, 'target');
  }

  /**
   * Deletes the connection unless something uses it: an active extraction reading from it, any sync (a sync
   * keeps its connections until the sync itself is deleted), or a schedule whose runs read from it. One
   * statement, so the check and the delete agree.
   */
  async delete(tenantId: string, name: string): Promise<DeleteOutcome> {
    const res = await this.db.query<{ existed: boolean; deleted: boolean; usedBy: JobUsingConnection[] | null }>(
      `WITH users AS (
         (SELECT id, kind, state, created_at FROM jobs
           WHERE tenant_id = $1
             AND ((kind = 'extraction' AND state = ANY ($3) AND request->>'source' = $2)
               OR (kind = 'sync' AND (request->>'source' = $2 OR request->>'target' = $2)))
         UNION ALL
         SELECT id, 'schedule', CASE WHEN paused THEN 'paused' ELSE 'active' END, created_at FROM schedules
          WHERE tenant_id = $1 AND definition->'request'->>'source' = $2)
         ORDER BY created_at, id LIMIT 20
       ), gone AS (
         DELETE FROM connections WHERE tenant_id = $1 AND name = $2 AND NOT EXISTS (SELECT 1 FROM users) RETURNING name
       )
       SELECT EXISTS (SELECT 1 FROM connections WHERE tenant_id = $1 AND name = $2) AS existed,
              EXISTS (SELECT 1 FROM gone) AS deleted,
              (SELECT json_agg(json_build_object('id', id, 'kind', kind, 'state', state)) FROM users) AS "usedBy"`,
      [tenantId, name, ACTIVE_EXTRACTION_STATES],
    );
    const { existed, deleted, usedBy } = res.rows[0];
    if (!existed) return { outcome: 'absent' };
    return deleted ? { outcome: 'deleted' } : { outcome: 'in_use', usedBy: usedBy ?? [] };
  }

  private values(tenantId: string, c: NewConnection): unknown[] {
    const f = describeConnectionUrl(c.url);
    const sealed = this.keys.encrypt(c.url, connectionUrlAad(tenantId, c.name));
    return [tenantId, c.name, c.roles, f.host, f.port, f.database, f.user, f.sslmode, sealed.ciphertext, sealed.iv, sealed.tag, sealed.keyId,
      c.queryRole ?? null, c.allowPrivilegedRole ?? false];
  }
}
