// The set statements of the apply: rows in, by primary key. Names come from the catalog and are quoted; values
// travel as text arrays and are read by each column's own type.
import type { ClientBase } from 'pg';
import type { RowValues } from '../../../domain/change-batch';
import { quoteTable, type TableShape } from './table-shape';

const conflictClause = (c: ClientBase, shape: TableShape, columns: string[]) => {
  const rest = columns.filter((col) => !shape.key.includes(col));
  const key = shape.key.map((k) => c.escapeIdentifier(k)).join(', ');
  return rest.length
    ? `ON CONFLICT (${key}) DO UPDATE SET ${rest.map((col) => `${c.escapeIdentifier(col)} = EXCLUDED.${c.escapeIdentifier(col)}`).join(', ')}`
    : `ON CONFLICT (${key}) DO NOTHING`;
};

/** Merges every row of a staging table (same columns) into the table. */
export function upsertSetSql(c: ClientBase, shape: TableShape, staging: string): string {
  const cols = shape.columns.map((col) => col.name);
  const list = cols.map((col) => c.escapeIdentifier(col)).join(', ');
  return `INSERT INTO ${quoteTable(c, shape)} (${list}) SELECT ${list} FROM ${staging} ${conflictClause(c, shape, cols)}`;
}

// unnest() of one text array per column; each value is cast to its column's type as COPY would read it.
const unnestOf = (c: ClientBase, shape: TableShape, columns: string[], firstParam = 1) => {
  const typeOf = new Map(shape.columns.map((col) => [col.name, col.type]));
  const aliases = columns.map((_, i) => `c${i}`);
  return {
    select: columns.map((col, i) => `u.c${i}::${typeOf.get(col)}`).join(', '),
    from: `unnest(${columns.map((_, i) => `$${firstParam + i}::text[]`).join(', ')}) AS u(${aliases.join(', ')})`,
  };
};

/** Upserts rows given as one text array per column of `columns` (the others keep their values, or defaults). */
export function upsertRowsSql(c: ClientBase, shape: TableShape, columns: string[]): string {
  const u = unnestOf(c, shape, columns);
  return `INSERT INTO ${quoteTable(c, shape)} (${columns.map((col) => c.escapeIdentifier(col)).join(', ')}) SELECT ${u.select} FROM ${u.from} ${conflictClause(c, shape, columns)}`;
}

/** Deletes the rows whose keys are given as one text array per key column. */
export function deleteKeysSql(c: ClientBase, shape: TableShape): string {
  const u = unnestOf(c, shape, shape.key);
  const key = shape.key.map((k) => c.escapeIdentifier(k)).join(', ');
  return `DELETE FROM ${quoteTable(c, shape)} WHERE (${key}) IN (SELECT ${u.select} FROM ${u.from})`;
}

/**
 * The rows whose keys are given as one text array per key column: each row's columns as text, with the key as
 * it was given (`k0`, `k1`, … beside the columns), so callers match rows to keys without reformatting values.
 */
export function rowsByKeySql(c: ClientBase, shape: TableShape): string {
  const typeOf = new Map(shape.columns.map((col) => [col.name, col.type]));
  const keys = shape.key.map((k, i) => ({ alias: `k${i}`, ident: c.escapeIdentifier(k), type: typeOf.get(k) }));
  const cols = shape.columns.map((col) => `t.${c.escapeIdentifier(col.name)}::text AS ${c.escapeIdentifier(col.name)}`).join(', ');
  const from = `unnest(${keys.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${keys.map((k) => k.alias).join(', ')})`;
  const join = keys.map((k) => `t.${k.ident} = u.${k.alias}::${k.type}`).join(' AND ');
  return `SELECT ${keys.map((k) => `u.${k.alias}`).join(', ')}, ${cols} FROM ${from} JOIN ${quoteTable(c, shape)} AS t ON ${join}`;
}

const QUOTE_OR_BACKSLASH = /["\\]/;

/**
 * The text[] literal of one column of `rows` (NULL for null): what node-postgres sends for an array of strings,
 * made in one pass without a regular-expression replace per value (the apply sends millions).
 */
export function textArray(rows: RowValues[], column: string): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][column];
    if (i > 0) out += ',';
    out += v === null || v === undefined ? 'NULL' : `"${QUOTE_OR_BACKSLASH.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return `${out}}`;
}
