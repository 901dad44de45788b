// Lists of one kind of job, a tenant's, newest first, in pages. Cursors are the (created_at, id) of the last row
// on a page, base64url JSON, opaque to clients.
import type { Pool } from 'pg';

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface PageCursor {
  encode(row: { createdAt: Date; id: string }): string;
  /** The position, or null for anything this module did not write. */
  decode(cursor: string): [string, string] | null;
}

/** Cursors for rows whose ids match `idShape`. */
export function pageCursor(idShape: RegExp): PageCursor {
  return {
    encode: (row) => Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url'),
    decode(cursor) {
      try {
        const value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
        // Only what this module wrote: a crafted cursor never reaches a query (PostgreSQL would refuse a NUL, a year
        // past 9999 or a bare number as a timestamp).
        return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string'
          && CURSOR_TIME.test(value[0]) && !Number.isNaN(Date.parse(value[0])) && idShape.test(value[1])
          ? [value[0], value[1]]
          : null;
      } catch {
        return null;
      }
    },
  };
}

export interface PageQuery {
  state?: string;
  /** Only the jobs one schedule made. */
  scheduleId?: string;
  limit: number;
  /** A decoded cursor. */
  after?: [string, string];
}

/** A page of the tenant's jobs of `kind` (`columns`: a constant select list, never user text). */
export async function listPage<R extends { createdAt: Date; id: string }>(
  db: Pool, cursor: PageCursor, kind: 'extraction' | 'sync', columns: string, tenantId: string, opts: PageQuery,
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const res = await db.query<R>(
    `SELECT ${columns} FROM jobs
      WHERE tenant_id = $1 AND kind = $2 AND ($3::text IS NULL OR state = $3) AND ($7::text IS NULL OR schedule_id = $7)
        AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::text))
      ORDER BY created_at DESC, id DESC LIMIT $6`,
    [tenantId, kind, opts.state ?? null, opts.after?.[0] ?? null, opts.after?.[1] ?? null, opts.limit + 1, opts.scheduleId ?? null],
  );
  const rows = res.rows.slice(0, opts.limit);
  return { rows, nextCursor: res.rows.length > opts.limit ? cursor.encode(rows[rows.length - 1]) : null };
}
