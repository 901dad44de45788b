// The audit log (migration 0017): appended to after each audited request, read by its tenant newest first.
import type { Pool } from 'pg';
import type { AuditOutcome, AuditQuery } from '../domain/audit';

export interface AuditEntry {
  tenantId: string | null;
  keyId: string | null;
  ip: string | null;
  requestId: string;
  method: string;
  route: string;
  action: string;
  target: string | null;
  status: number;
  outcome: AuditOutcome;
}

export type AuditRecord = Omit<AuditEntry, 'tenantId'> & { seq: string; at: Date };

export class AuditStore {
  constructor(private readonly db: Pool) {}

  async append(e: AuditEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (tenant_id, key_id, ip, request_id, method, route, action, target, status, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.tenantId, e.keyId, e.ip, e.requestId, e.method, e.route, e.action, e.target, e.status, e.outcome],
    );
  }

  /** The tenant's entries matching the query, newest first; `nextCursor` when there are more. */
  async list(tenantId: string, q: AuditQuery): Promise<{ entries: AuditRecord[]; nextCursor: string | null }> {
    const res = await this.db.query<AuditRecord>(
      `SELECT seq::text AS seq, at, key_id AS "keyId", ip, request_id AS "requestId", method, route, action, target, status, outcome
         FROM audit_log
        WHERE tenant_id = $1 AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR outcome = $3) AND ($4::text IS NULL OR key_id = $4)
          AND ($5::text IS NULL OR target = $5) AND ($6::timestamptz IS NULL OR at >= $6) AND ($7::timestamptz IS NULL OR at < $7)
          AND ($8::bigint IS NULL OR seq < $8)
        ORDER BY seq DESC LIMIT $9`,
      [tenantId, q.action ?? null, q.outcome ?? null, q.keyId ?? null, q.target ?? null, q.from ?? null, q.to ?? null, q.cursor ?? null, q.limit + 1],
    );
    const entries = res.rows.slice(0, q.limit);
    return { entries, nextCursor: res.rows.length > q.limit ? entries[entries.length - 1].seq : null };
  }
}
