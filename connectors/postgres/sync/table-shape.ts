// What a synced table looks like in a catalog: its columns with their full types, and its key.
import type { ClientBase } from 'pg';
import { splitTableName } from '../../../domain/extraction-request';

export interface ColumnShape {
  name: string;
  /** format_type(type, typmod): the column's full declared type, e.g. "numeric(12,2)". */
  type: string;
  notNull: boolean;
  /** The value rows that existed when the column was added read (a constant default), as text; absent: none. */
  missingValue?: string | null;
}

export interface TableShape {
  table: string; // schema.name
  schema: string;
  name: string;
  oid: number;
  columns: ColumnShape[];
  /** Primary key columns, in key order; empty when the table has none. */
  key: string[];
  replicaIdentity: 'd' | 'n' | 'f' | 'i';
  relkind: string;
  pages: number;
  rowsEstimated: number;
}

export const quoteTable = (c: ClientBase, s: Pick<TableShape, 'schema' | 'name'>) => `${c.escapeIdentifier(s.schema)}.${c.escapeIdentifier(s.name)}`;

/** The shapes of the named tables, each name checked against the catalog; null for a table that is absent. */
export async function readShapes(c: ClientBase, tables: string[]): Promise<Map<string, TableShape | null>> {
  const names = tables.map(splitTableName);
  const rels = await c.query<{ oid: number; schema: string; name: string; relkind: string; relreplident: TableShape['replicaIdentity']; pages: string; reltuples: number }>(
    `SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind, c.relreplident,
            pg_relation_size(c.oid) / current_setting('block_size')::int AS pages, c.reltuples
       FROM unnest($1::text[], $2::text[]) AS w(schema, name)
       JOIN pg_namespace n ON n.nspname = w.schema
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name AND c.relkind IN ('r', 'p')`,
    [names.map((n) => n.schema), names.map((n) => n.name)],
  );
  const cols = await c.query<{ oid: number; name: string; type: string; not_null: boolean; key_pos: number | null }>(
    `SELECT a.attrelid AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            array_position(i.indkey::int2[], a.attnum) AS key_pos
       FROM pg_attribute a
       LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attrelid, a.attnum`,
    [rels.rows.map((r) => r.oid)],
  );
  const shapes = new Map<string, TableShape | null>(names.map((n) => [`${n.schema}.${n.name}`, null]));
  for (const r of rels.rows) {
    const own = cols.rows.filter((col) => col.oid === r.oid);
    shapes.set(`${r.schema}.${r.name}`, {
      table: `${r.schema}.${r.name}`, schema: r.schema, name: r.name, oid: Number(r.oid), relkind: r.relkind, replicaIdentity: r.relreplident,
      pages: Number(r.pages), rowsEstimated: Math.max(0, Math.round(r.reltuples)),
      columns: own.map((col) => ({ name: col.name, type: col.type, notNull: col.not_null })),
      key: own.filter((col) => col.key_pos !== null).sort((a, b) => a.key_pos! - b.key_pos!).map((col) => col.name),
    });
  }
  return shapes;
}

/** Every ordinary or partitioned table of a schema, as "schema.name", sorted. */
export async function tablesOfSchema(c: ClientBase, schema: string): Promise<string[]> {
  const res = await c.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
    [schema],
  );
  return res.rows.map((r) => `${schema}.${r.name}`);
}

/**
 * The target table for a source shape: same columns, types and primary key, and nothing else — no other unique
 * constraint or foreign key, which intermediate states of a catching-up target could violate (design.md §5).
 */
export function createTableSql(c: ClientBase, s: TableShape): string {
  const columns = s.columns.map((col) => `${c.escapeIdentifier(col.name)} ${col.type}${s.key.includes(col.name) ? ' NOT NULL' : ''}`);
  const key = s.key.length ? [`PRIMARY KEY (${s.key.map((k) => c.escapeIdentifier(k)).join(', ')})`] : [];
  return `CREATE TABLE IF NOT EXISTS ${quoteTable(c, s)} (${[...columns, ...key].join(', ')})`;
}
