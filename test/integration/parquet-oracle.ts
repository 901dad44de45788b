// The same rows two ways, in forms that compare exactly: as PostgreSQL computes them from the source, and as
// DuckDB reads them from Parquet parts. Shared by the integration tests; not a test file itself.
import { escapeIdentifier, type Client as PgClient } from 'pg';
import type { ColumnInfo } from '../../domain/plan';
import type { ParquetReader } from '../support/parquet';

type Cell = string | null;

interface Comparable {
  /** PostgreSQL's side, as SQL over the column: its text is the canonical form. */
  pg(col: string): string;
  /** DuckDB's side, as SQL over the column of the Parquet file. */
  duck(col: string): string;
  /** DuckDB's JavaScript value in the canonical form. */
  fromDuck(value: unknown): string;
}

const same = (col: string) => col;
const floatBits = (bytes: 4 | 8) => (value: unknown) => {
  const buf = Buffer.alloc(bytes);
  if (bytes === 4) buf.writeFloatBE(value as number);
  else buf.writeDoubleBE(value as number);
  return buf.toString('hex');
};

// Floats compare bit for bit (NaN, -0, ±Infinity included), timestamps as microseconds since 1970 and dates as
// days since 1970 (computed by each side on its own), bytea as hex; every other type as its text.
const integer: Comparable = { pg: same, duck: same, fromDuck: String };
const COMPARABLE: Record<string, Comparable> = {
  boolean: { pg: same, duck: same, fromDuck: (v) => (v ? 't' : 'f') },
  smallint: integer,
  integer,
  bigint: integer,
  real: { pg: (c) => `encode(float4send(${c}), 'hex')`, duck: same, fromDuck: floatBits(4) },
  'double precision': { pg: (c) => `encode(float8send(${c}), 'hex')`, duck: same, fromDuck: floatBits(8) },
  numeric: { pg: same, duck: (c) => `${c}::VARCHAR`, fromDuck: String },
  bytea: { pg: (c) => `encode(${c}, 'hex')`, duck: same, fromDuck: (v) => Buffer.from(v as Uint8Array).toString('hex') },
  date: { pg: (c) => `${c} - date '1970-01-01'`, duck: (c) => `${c} - DATE '1970-01-01'`, fromDuck: String },
  'timestamp without time zone': { pg: (c) => `(extract(epoch from ${c}) * 1000000)::numeric(30, 0)`, duck: (c) => `epoch_us(${c})`, fromDuck: String },
  'timestamp with time zone': { pg: (c) => `(extract(epoch from ${c}) * 1000000)::numeric(30, 0)`, duck: (c) => `epoch_us(${c})`, fromDuck: String },
  json: { pg: same, duck: (c) => `${c}::VARCHAR`, fromDuck: String },
  jsonb: { pg: same, duck: (c) => `${c}::VARCHAR`, fromDuck: String },
};
const TEXT: Comparable = { pg: same, duck: same, fromDuck: String };
const comparable = (c: ColumnInfo) => (Object.hasOwn(COMPARABLE, c.type) ? COMPARABLE[c.type] : TEXT);

/** The rows of `sql`, each value in its canonical form from PostgreSQL's own text output. */
export async function sourceRows(src: PgClient, sql: string, columns: ColumnInfo[]): Promise<Cell[][]> {
  const select = columns.map((c, i) => `${comparable(c).pg(`q.${escapeIdentifier(c.name)}`)} AS c${i}`);
  const res = await src.query<Cell[]>({
    text: `SELECT ${select.join(', ')} FROM (${sql}) q`, rowMode: 'array', types: { getTypeParser: () => (text: string) => text },
  });
  return res.rows;
}

/** The rows of each Parquet file, in order, each value in its canonical form from what DuckDB reads. */
export async function parquetRows(reader: ParquetReader, files: Buffer[], columns: ColumnInfo[]): Promise<Cell[][][]> {
  const select = columns.map((c, i) => `${comparable(c).duck(escapeIdentifier(c.name))} AS c${i}`);
  const out: Cell[][][] = [];
  for (const file of files) {
    const rows = await reader.rows(file, select.join(', '));
    out.push(rows.map((row) => columns.map((c, i) => (row[`c${i}`] === null ? null : comparable(c).fromDuck(row[`c${i}`])))));
  }
  return out;
}
