// How a PostgreSQL column becomes a Parquet column: the type the file stores it as, and which values that type
// has no room for. Every column is OPTIONAL, so NULL stays NULL; the empty string is a value. Decisions only:
// connectors/duckdb reads COPY's text into these types and writes the file.
import type { ColumnInfo } from '../../domain/plan';

export type ParquetType =
  | { kind: 'boolean' }
  | { kind: 'int16' }
  | { kind: 'int32' }
  | { kind: 'int64' }
  | { kind: 'float' }
  | { kind: 'double' }
  /** numeric(p, s) as DECIMAL(p, s): INT32 up to 9 digits, INT64 up to 18, 16 bytes up to 38. */
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'bytes' }
  | { kind: 'date' }
  /** Microseconds since 1970 in INT64: UTC for timestamptz (`utc`), wall-clock time for timestamp. */
  | { kind: 'timestamp'; utc: boolean }
  /** UTF-8 text under the JSON logical type. */
  | { kind: 'json' }
  | { kind: 'text' };

/** The error code of a value that the column's Parquet type has no room for. */
export const UNREPRESENTABLE = 'unrepresentable_value';

// numeric(p, s) is DECIMAL(p, s) where common readers can hold it: at most 38 digits (DuckDB, Spark, Arrow's
// decimal128) and 0 ≤ s ≤ p. Anything else (unconstrained numeric, which holds up to 16383 fractional digits, NaN
// and ±Infinity) is its exact text: a double would lose digits. A NaN in a numeric(p, s) column has no DECIMAL and
// fails the part.
function decimal({ precision, scale }: ColumnInfo): ParquetType {
  if (precision === undefined || scale === undefined || precision > 38 || scale < 0 || scale > precision) return { kind: 'text' };
  return { kind: 'decimal', precision, scale };
}

// Keyed by format_type() without typmod, as the catalog names them. Any other type (text, varchar, char(n), name,
// uuid, enums, arrays, intervals, domains, …) is its text output. json keeps its exact text (key order, duplicate
// keys, whitespace); jsonb its normalized text.
const BY_TYPE = new Map<string, (c: ColumnInfo) => ParquetType>(Object.entries({
  boolean: () => ({ kind: 'boolean' }),
  smallint: () => ({ kind: 'int16' }),
  integer: () => ({ kind: 'int32' }),
  bigint: () => ({ kind: 'int64' }),
  // Text with extra_float_digits 1 is the shortest that reads back to the same float (NaN, ±Infinity included).
  real: () => ({ kind: 'float' }),
  'double precision': () => ({ kind: 'double' }),
  numeric: decimal,
  bytea: () => ({ kind: 'bytes' }),
  date: () => ({ kind: 'date' }),
  'timestamp without time zone': () => ({ kind: 'timestamp', utc: false }),
  'timestamp with time zone': () => ({ kind: 'timestamp', utc: true }),
  json: () => ({ kind: 'json' }),
  jsonb: () => ({ kind: 'json' }),
}));

export const parquetType = (c: ColumnInfo): ParquetType => BY_TYPE.get(c.type)?.(c) ?? { kind: 'text' };

// Parquet's legacy annotation (ConvertedType, parquet.thrift) each type is declared with beside its logical type:
// none for plain INT32 and INT64, nor for a wall-clock timestamp (TIMESTAMP_MICROS says UTC).
export const CONVERTED_TYPE = { UTF8: 0, DECIMAL: 5, DATE: 6, TIMESTAMP_MICROS: 10, INT_16: 16, JSON: 19 } as const;

export function convertedType(t: ParquetType): number | null {
  switch (t.kind) {
    case 'text':
      return CONVERTED_TYPE.UTF8;
    case 'json':
      return CONVERTED_TYPE.JSON;
    case 'int16':
      return CONVERTED_TYPE.INT_16;
    case 'decimal':
      return CONVERTED_TYPE.DECIMAL;
    case 'date':
      return CONVERTED_TYPE.DATE;
    case 'timestamp':
      return t.utc ? CONVERTED_TYPE.TIMESTAMP_MICROS : null;
    default:
      return null;
  }
}

// What a type cannot hold: NaN (and ±Infinity) in a DECIMAL, ±infinity and timestamps beyond 64-bit microseconds
// (DuckDB, which writes the file, holds up to 294247-01-10 04:00:54.775806) in a TIMESTAMP, ±infinity in a DATE.
function typeName(t: ParquetType): string {
  if (t.kind === 'decimal') return `DECIMAL(${t.precision}, ${t.scale})`;
  if (t.kind === 'timestamp') return 'TIMESTAMP (microseconds since 1970 in 64 bits)';
  return t.kind.toUpperCase();
}

/** The part's error for a value (its text output) that column `c`'s Parquet type has no room for. */
export function unrepresentable(c: ColumnInfo, text: string): Error {
  const t = parquetType(c);
  const shown = t.kind === 'decimal' ? text : `'${text}'`;
  return Object.assign(new Error(`column "${c.name}" (${c.type}) holds ${shown}, which Parquet's ${typeName(t)} cannot hold`), { code: UNREPRESENTABLE });
}
