// Builds the SELECT and COPY statements of an extraction. Names come from the catalog and are quoted; values
// (filter values, range bounds) never enter the SQL text: they travel as bind parameters into set_config()
// and the statement reads them back with current_setting(), because COPY accepts no parameters.
import { escapeIdentifier } from 'pg';
import type { Format } from '../../domain/extraction-request';
import type { PartRange, ResolvedFilter, SelectSpec, SplitStrategy } from '../../domain/plan';

export interface BoundSql {
  text: string;
  /** Values for set_config('sluice.pN', value, true), in order. */
  values: string[];
}

const COMPARATORS = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

// format_type() without a typmod calls bpchar "character" and bit "bit"; as cast targets those mean character(1)
// and bit(1), which would cut a value to its first character or bit. Cast to the unbounded types instead.
const castType = (type: string): string => type.replace(/^(character|bit)(?=\[|$)/, (t) => (t === 'character' ? 'bpchar' : 'varbit'));

class Binder {
  readonly values: string[] = [];
  ref(value: string, type: string): string {
    this.values.push(value);
    return `current_setting('sluice.p${this.values.length - 1}')::${castType(type)}`;
  }
  list(values: (string | number | boolean)[], type: string): string {
    this.values.push(JSON.stringify(values.map(String)));
    return `(SELECT v::${castType(type)} FROM jsonb_array_elements_text(current_setting('sluice.p${this.values.length - 1}')::jsonb) AS v)`;
  }
}

function condition(f: ResolvedFilter, b: Binder): string {
  const col = escapeIdentifier(f.column);
  switch (f.op) {
    case 'is_null':
      return `${col} IS NULL`;
    case 'is_not_null':
      return `${col} IS NOT NULL`;
    case 'in':
      return `${col} IN ${b.list(f.value as (string | number | boolean)[], f.type)}`;
    case 'not_in':
      return `${col} NOT IN ${b.list(f.value as (string | number | boolean)[], f.type)}`;
    case 'like':
      return `${col}::text LIKE ${b.ref(String(f.value), 'text')}`;
    case 'ilike':
      return `${col}::text ILIKE ${b.ref(String(f.value), 'text')}`;
    default:
      return `${col} ${COMPARATORS[f.op]} ${b.ref(String(f.value), f.type)}`;
  }
}

function rangeConditions(spec: SelectSpec & { kind: 'table' }, strategy: SplitStrategy, range: PartRange, b: Binder): string[] {
  if (strategy === 'key-range' && spec.splitColumn) {
    const col = escapeIdentifier(spec.splitColumn.name);
    const out: string[] = [];
    if (range.from !== undefined) out.push(`${col} >= ${b.ref(range.from, spec.splitColumn.type)}`);
    if (range.to !== undefined) out.push(`${col} < ${b.ref(range.to, spec.splitColumn.type)}`);
    return out;
  }
  if (strategy === 'block-range') {
    const out: string[] = [];
    if (range.from !== undefined) out.push(`ctid >= ${b.ref(`(${range.from},0)`, 'tid')}`);
    if (range.to !== undefined) out.push(`ctid < ${b.ref(`(${range.to},0)`, 'tid')}`);
    return out;
  }
  return [];
}

export function selectSql(spec: SelectSpec, strategy: SplitStrategy, range: PartRange = {}): BoundSql {
  const b = new Binder();
  if (spec.kind === 'query') return { text: `SELECT * FROM (${spec.query}) AS sluice_q`, values: [] };
  const columns = spec.columns.map((c) => escapeIdentifier(c.name)).join(', ');
  const where = [...spec.filter.map((f) => condition(f, b)), ...rangeConditions(spec, strategy, range, b)];
  const order = spec.orderBy.map((o) => `${escapeIdentifier(o.column)} ${o.direction === 'desc' ? 'DESC' : 'ASC'}`);
  const text = [
    `SELECT ${columns} FROM ${escapeIdentifier(spec.schema)}.${escapeIdentifier(spec.name)}`,
    where.length ? `WHERE ${where.join(' AND ')}` : '',
    order.length ? `ORDER BY ${order.join(', ')}` : '',
  ].filter(Boolean).join(' ');
  return { text, values: b.values };
}

// Skips the first `offset` rows of a selection: a resumed stream reads only the rows after those it has. The
// offset is Sluice's own count, never user text. An OFFSET at the statement's top level leaves the plan below it
// as it was; within NDJSON's row_to_json() wrapper it keeps the selection from being merged into the wrapper, the
// same for every offset, 0 included.
export function offsetSql(select: BoundSql, offset: number): BoundSql {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`bad row offset ${offset}`);
  return { text: `${select.text} OFFSET ${offset}`, values: select.values };
}

// CSV is exactly PostgreSQL's own CSV. NDJSON is row_to_json() per row, sent in COPY's text format (see
// copy-text-to-ndjson.ts for the unescaping). Parquet reads each column's text output in COPY's text format
// (DuckDB, connectors/duckdb/copy-text-to-parquet.ts) and types it by the column's catalog type.
const COPY_SQL: Record<Format, (select: string) => string> = {
  csv: (select) => `COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER true)`,
  ndjson: (select) => `COPY (SELECT row_to_json(sluice_r) FROM (${select}) AS sluice_r) TO STDOUT`,
  parquet: (select) => `COPY (${select}) TO STDOUT`,
};

export function copySql(select: BoundSql, format: Format): BoundSql {
  return { text: COPY_SQL[format](select.text), values: select.values };
}

export function bindValuesSql(values: string[]): { text: string; values: string[] } | null {
  if (!values.length) return null;
  const calls = values.map((_, i) => `set_config('sluice.p${i}', $${i + 1}, true)`);
  return { text: `SELECT ${calls.join(', ')}`, values };
}
