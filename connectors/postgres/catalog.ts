// Resolves what a request names against the source's catalog, estimates its size, and finds how to split it.
import type { PoolClient } from 'pg';
import { splitTableName, type ExtractionRequest } from '../../domain/extraction-request';
import type { ColumnInfo, SelectSpec } from '../../domain/plan';
import type { ReadSession } from './read-session';
import { selectSql } from './select-sql';

type TableSpec = SelectSpec & { kind: 'table' };

// An error shaped like PostgreSQL's own (SQLSTATE in `code`), so one classifier handles both.
// `field` names the request field at fault, so the API can answer 400 for it.
export const catalogError = (sqlstate: string, message: string, hint?: string, field?: string): Error =>
  Object.assign(new Error(message), { code: sqlstate, hint, field });

// numeric's typmod is ((precision << 16) | scale) + 4, the scale an 11-bit signed number (PostgreSQL 15 allows a
// negative scale, or one above the precision); -1 means unconstrained.
export function numericDigits(type: string, typmod: number): Pick<ColumnInfo, 'precision' | 'scale'> {
  if (type !== 'numeric' || typmod < 4) return {};
  const packed = typmod - 4;
  return { precision: (packed >> 16) & 0xffff, scale: ((packed & 0x7ff) ^ 0x400) - 0x400 };
}

export interface TableFacts {
  spec: TableSpec;
  relkind: string;
  pages: number;
  keyBounds: { min: string; max: string } | null;
}

const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);

export async function resolveTable(client: PoolClient, request: ExtractionRequest): Promise<TableFacts> {
  const { schema, name } = splitTableName(request.table!);
  const rel = await client.query<{ oid: number; relkind: string; pages: string; usage: boolean }>(
    `SELECT c.oid, c.relkind, pg_relation_size(c.oid) / current_setting('block_size')::int AS pages,
            has_schema_privilege(n.oid, 'USAGE') AS usage
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
    [schema, name],
  );
  if (!rel.rows.length) throw catalogError('42P01', `relation "${schema}.${name}" does not exist`, undefined, 'table');
  const { oid, relkind, usage } = rel.rows[0];
  if (!usage) throw catalogError('42501', `permission denied for schema ${schema}`, `Grant USAGE on schema ${schema} to the source user.`, 'table');

  const attrs = await client.query<ColumnInfo & { typmod: number; readable: boolean; pk: boolean }>(
    `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type, a.atttypmod AS typmod,
            has_column_privilege(a.attrelid, a.attnum, 'SELECT') AS readable,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey)) AS pk
       FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [oid],
  );
  const byName = new Map(attrs.rows.map((a) => [a.name, a]));
  const lookup = (column: string, field: string) => {
    const attr = byName.get(column);
    if (!attr) {
      throw catalogError('42703', `column "${column}" of relation "${schema}.${name}" does not exist`,
        `The table has columns: ${attrs.rows.map((a) => a.name).join(', ')}.`, field);
    }
    return attr;
  };

  const columns = request.columns ? request.columns.map((c, i) => lookup(c, `columns[${i}]`)) : attrs.rows;
  const filter = (request.filter ?? []).map((f, i) => ({ ...f, type: lookup(f.column, `filter[${i}].column`).type }));
  const orderBy = (request.orderBy ?? []).map((o, i) => ({ column: lookup(o.column, `orderBy[${i}].column`).name, direction: o.direction }));
  const denied = [...columns, ...filter.map((f) => byName.get(f.column)!)].filter((c) => !c.readable).map((c) => c.name);
  if (denied.length) {
    throw catalogError('42501', `permission denied for table ${schema}.${name}`,
      `The source user needs SELECT on ${schema}.${name} (columns: ${[...new Set(denied)].join(', ')}).`, 'table');
  }

  const pkColumns = attrs.rows.filter((a) => a.pk);
  const key = pkColumns.length === 1 && INTEGER_TYPES.has(pkColumns[0].type) ? pkColumns[0] : undefined;
  const spec: TableSpec = {
    kind: 'table', schema, name,
    columns: columns.map(({ name: n, type, typmod }) => ({ name: n, type, ...numericDigits(type, typmod) })),
    filter, orderBy,
    splitColumn: key ? { name: key.name, type: key.type } : undefined,
  };

  let keyBounds: TableFacts['keyBounds'] = null;
  if (key) {
    const ident = client.escapeIdentifier(key.name);
    const bounds = await client.query<{ min: string | null; max: string | null }>(
      `SELECT min(${ident})::text AS min, max(${ident})::text AS max FROM ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`,
    );
    const { min, max } = bounds.rows[0];
    keyBounds = min !== null && max !== null ? { min, max } : null;
  }
  return { spec, relkind, pages: Number(rel.rows[0].pages), keyBounds };
}

// A user query must be one read-only statement. The extended protocol refuses several statements, and the
// caller's transaction is READ ONLY, so nothing can write.
export async function resolveQuery(client: PoolClient, query: string): Promise<SelectSpec & { kind: 'query' }> {
  const trimmed = query.trim().replace(/;\s*$/, '');
  // Newlines keep a trailing line comment in the query from swallowing the wrapper's closing parenthesis.
  const spec = { kind: 'query' as const, query: `\n${trimmed}\n`, columns: [] as ColumnInfo[] };
  const described = await client.query({ text: `${selectSql(spec, 'single-stream').text} LIMIT 0`, queryMode: 'extended' } as never);
  const fields = (described as unknown as { fields: { name: string; dataTypeID: number; dataTypeModifier: number }[] }).fields;
  const types = await client.query<{ oid: number; type: string }>(
    'SELECT oid, format_type(oid, NULL) AS type FROM pg_type WHERE oid = ANY($1::oid[])',
    [fields.map((f) => f.dataTypeID)],
  );
  const typeOf = new Map(types.rows.map((t) => [Number(t.oid), t.type]));
  spec.columns = fields.map((f) => {
    const type = typeOf.get(f.dataTypeID) ?? 'unknown';
    return { name: f.name, type, ...numericDigits(type, f.dataTypeModifier) };
  });
  return spec;
}

// Parquet readers find columns by name: a query whose result repeats a name cannot be written as Parquet.
export function requireDistinctNames(columns: ColumnInfo[]): void {
  const seen = new Set<string>();
  for (const { name } of columns) {
    if (seen.has(name)) {
      throw catalogError('42701', `the query returns more than one column named "${name}"`, 'Parquet needs distinct column names: give the columns distinct aliases.', 'query');
    }
    seen.add(name);
  }
}

type PlanNode = { 'Plan Rows': number; 'Plan Width': number; 'Total Cost': number };

/** The planner's rows, rows × average width in bytes, and total cost of the selection. */
export async function estimate(session: ReadSession, spec: SelectSpec): Promise<{ rows: number; bytes: number; cost: number }> {
  const sql = selectSql(spec, 'single-stream');
  await session.bind(sql.values);
  const res = await session.client.query({ text: `EXPLAIN (FORMAT JSON) ${sql.text}`, queryMode: 'extended' } as never);
  const plan = (res as unknown as { rows: { 'QUERY PLAN': { Plan: PlanNode }[] }[] }).rows[0]['QUERY PLAN'][0].Plan;
  return { rows: Math.round(plan['Plan Rows']), bytes: Math.round(plan['Plan Rows'] * plan['Plan Width']), cost: plan['Total Cost'] };
}
