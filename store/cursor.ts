// Opaque list cursors: the (created_at, id) of the last row on a page, base64url JSON. Lists page newest first.

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
