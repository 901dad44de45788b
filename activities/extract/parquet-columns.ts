// How a PostgreSQL column becomes a Parquet column: its type in the file, and how a value's text output (from
// COPY) becomes what the file stores. Every column is OPTIONAL, so NULL stays NULL; the empty string is a value.
import type { SchemaElement } from 'hyparquet-writer';
import type { ColumnInfo } from '../../domain/plan';
import { byteaBytes, dateDays, timestampMicros } from '../../connectors/postgres/text-values';

export interface ParquetColumn {
  /** The schema element, less its name and repetition. */
  element: Omit<SchemaElement, 'name' | 'repetition_type'>;
  /** What the file stores for a value, from its text (never NULL: NULL is stored as NULL). */
  read(text: Buffer): unknown;
  /** Whether the file keeps its min/max; not for JSON, whose bounds would be whole documents. */
  statistics: boolean;
}

/** The error code of a value that the column's Parquet type has no room for. */
export const UNREPRESENTABLE = 'unrepresentable_value';

function unrepresentable(c: ColumnInfo, value: string, parquetType: string): Error {
  return Object.assign(new Error(`column "${c.name}" (${c.type}) holds ${value}, which Parquet's ${parquetType} cannot hold`), { code: UNREPRESENTABLE });
}

// Numbers, dates and times are ASCII in PostgreSQL's text output.
const ascii = (b: Buffer) => b.toString('latin1');
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const column = (element: ParquetColumn['element'], read: ParquetColumn['read'], statistics = true): ParquetColumn => ({ element, read, statistics });

// Any other type (text, varchar, char(n), name, uuid, enums, arrays, intervals, …) is its text output, as UTF-8.
const utf8 = column({ type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } }, (b) => b);

// numeric(p, s) is DECIMAL(p, s) where common readers can hold it: at most 38 digits (DuckDB, Spark, Arrow's
// decimal128) and 0 ≤ s ≤ p. Anything else (unconstrained numeric, which holds up to 16383 fractional digits, NaN
// and ±Infinity) is its exact text as UTF8: a double would lose digits. A NaN in a numeric(p, s) column has no
// DECIMAL and fails the part.
function decimal(c: ColumnInfo): ParquetColumn {
  const { precision, scale } = c;
  if (precision === undefined || scale === undefined || precision > 38 || scale < 0 || scale > precision) return utf8;
  const physical: ParquetColumn['element'] =
    precision <= 9 ? { type: 'INT32' } : precision <= 18 ? { type: 'INT64' } : { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16 };
  const element = { ...physical, converted_type: 'DECIMAL', precision, scale, logical_type: { type: 'DECIMAL', precision, scale } } as const;
  return column(element, (b) => {
    const text = ascii(b);
    if (text === 'NaN') throw unrepresentable(c, 'NaN', `DECIMAL(${precision}, ${scale})`);
    const [whole, fraction = ''] = text.split('.');
    return BigInt(whole + fraction.padEnd(scale, '0')); // the unscaled value; the text has exactly `scale` digits
  });
}

function timestamp(c: ColumnInfo, isAdjustedToUTC: boolean): ParquetColumn {
  const element = isAdjustedToUTC
    ? { type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC, unit: 'MICROS' } } as const
    : { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC, unit: 'MICROS' } } as const;
  return column(element, (b) => {
    const micros = timestampMicros(ascii(b));
    if (micros === null || micros < INT64_MIN || micros > INT64_MAX) throw unrepresentable(c, `'${ascii(b)}'`, 'TIMESTAMP (microseconds since 1970 in 64 bits)');
    return micros;
  });
}

function date(c: ColumnInfo): ParquetColumn {
  return column({ type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }, (b) => {
    const days = dateDays(ascii(b));
    if (days === null) throw unrepresentable(c, `'${ascii(b)}'`, 'DATE');
    return days;
  });
}

// json keeps its exact text (key order, duplicate keys, whitespace); jsonb its normalized text.
const json = column({ type: 'BYTE_ARRAY', logical_type: { type: 'JSON' } }, (b) => b, false);

// Keyed by format_type() without typmod, as the catalog names them.
const BY_TYPE = new Map<string, (c: ColumnInfo) => ParquetColumn>(Object.entries({
  boolean: () => column({ type: 'BOOLEAN' }, (b) => b[0] === 0x74), // t or f
  // The converted type alone: hyparquet-writer 0.17 encodes the INTEGER logical type's bit width as the wrong
  // Thrift type, which readers refuse.
  smallint: () => column({ type: 'INT32', converted_type: 'INT_16' }, (b) => Number(ascii(b))),
  integer: () => column({ type: 'INT32' }, (b) => Number(ascii(b))),
  bigint: () => column({ type: 'INT64' }, (b) => BigInt(ascii(b))),
  // Text with extra_float_digits 1 is the shortest that reads back to the same float (NaN, ±Infinity included).
  real: () => column({ type: 'FLOAT' }, (b) => Number(ascii(b))),
  'double precision': () => column({ type: 'DOUBLE' }, (b) => Number(ascii(b))),
  numeric: decimal,
  bytea: () => column({ type: 'BYTE_ARRAY' }, byteaBytes),
  date,
  'timestamp without time zone': (c) => timestamp(c, false),
  'timestamp with time zone': (c) => timestamp(c, true),
  json: () => json,
  jsonb: () => json,
}));

export const parquetColumn = (c: ColumnInfo): ParquetColumn => BY_TYPE.get(c.type)?.(c) ?? utf8;
