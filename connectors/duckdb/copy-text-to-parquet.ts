// A file of PostgreSQL's COPY text (a row per line, fields split by tabs, \N for NULL, backslash escapes) into a
// Parquet file of typed columns, in one DuckDB statement: read_csv reads every field as it is (VARCHAR), SQL
// turns each into its column's type. The text has one line before the rows, which is skipped: read_csv drops a
// byte-order mark at the start of a file, which would take one from a value.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ParquetType } from '../../activities/extract/parquet-columns';

/** An SQL string literal. */
const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export type ParquetCodec = 'GZIP' | 'ZSTD' | 'SNAPPY' | 'UNCOMPRESSED';

/** The line the text starts with, before its rows. */
export const FIRST_LINE = Buffer.from('sluice\n');

/** A value (as COPY wrote it) that its column's type cannot hold; `column` is its index. */
export class UnrepresentableValue extends Error {
  constructor(readonly column: number, readonly text: string) {
    super(`column ${column} holds ${text}`);
  }
}

const MARK = 'sluice-unrepresentable:';

// COPY's text escapes: \\ for a backslash and \b \f \n \r \t \v for control characters. A value without \\ is
// undone by replacing each of the others; with \\ it is split at each \\ (left to right, as COPY wrote them)
// and the pieces are joined by a backslash. Most values have no backslash and are taken as they are.
const CONTROLS: [string, number][] = [['n', 10], ['t', 9], ['r', 13], ['b', 8], ['f', 12], ['v', 11]];
const unescapeControls = (x: string) => CONTROLS.reduce((e, [c, code]) => `replace(${e}, '\\${c}', chr(${code}))`, x);
const text = (v: string) =>
  `CASE WHEN contains(${v}, '\\') THEN (CASE WHEN contains(${v}, '\\\\')
     THEN array_to_string(list_transform(string_split(${v}, '\\\\'), lambda p: ${unescapeControls('p')}), '\\')
     ELSE ${unescapeControls(v)} END) ELSE ${v} END`;

// bytea's text in either bytea_output: hex (\x00ff, its backslash doubled by COPY) or escape, whose \\ and \ooo
// (octal) become DuckDB's \xHH blob escapes.
const ESCAPED_BYTES = sqlString(String.raw`\\\\|\\[0-7]{3}|[^\\]+`);
const escapedBytes = (s: string) =>
  `CAST(array_to_string(list_transform(regexp_extract_all(${s}, ${ESCAPED_BYTES}), lambda t: CASE WHEN t = '\\\\' THEN '\\x5C'
   WHEN t[1] = '\\' THEN '\\x' || lpad(to_hex(64 * t[2]::INTEGER + 8 * t[3]::INTEGER + t[4]::INTEGER), 2, '0') ELSE t END), '') AS BLOB)`;
const bytes = (v: string) => `CASE WHEN starts_with(${v}, '\\\\x') THEN unhex(${v}[4:]) ELSE ${escapedBytes(text(v))} END`;

// A value that reads as NULL but was not NULL has no room in the type: the statement fails naming it.
const orFail = (i: number, v: string, typed: string) => `coalesce(${typed}, CASE WHEN ${v} IS NOT NULL THEN error('${MARK}${i}:' || ${v}) END)`;
const INFINITE = (v: string) => `${v} IN ('infinity', '-infinity')`;

// Years before Christ end in " BC", which DuckDB writes "(BC)" for dates and does not read in timestamps: a
// timestamp BC is its date (BC) plus its time of day (less its offset).
function timestamp(i: number, v: string, utc: boolean): string {
  const type = utc ? 'TIMESTAMPTZ' : 'TIMESTAMP';
  const bc = `make_timestamp((TRY_CAST(split_part(${v}, ' ', 1) || ' (BC)' AS DATE) - DATE '1970-01-01') * 86400000000
    + epoch_us(TRY_CAST('1970-01-01 ' || split_part(${v}, ' ', 2) AS ${type})))${utc ? '::TIMESTAMPTZ' : ''}`;
  return orFail(i, v, `CASE WHEN ${INFINITE(v)} THEN NULL WHEN ends_with(${v}, ' BC') THEN ${bc} ELSE TRY_CAST(${v} AS ${type}) END`);
}

function typed(t: ParquetType, i: number): string {
  const v = `c${i}`;
  switch (t.kind) {
    case 'boolean':
      return `(${v} = 't')`;
    case 'int16':
      return `CAST(${v} AS SMALLINT)`;
    case 'int32':
      return `CAST(${v} AS INTEGER)`;
    case 'int64':
      return `CAST(${v} AS BIGINT)`;
    case 'float':
      return `CAST(${v} AS FLOAT)`;
    case 'double':
      return `CAST(${v} AS DOUBLE)`;
    case 'decimal':
      return orFail(i, v, `TRY_CAST(${v} AS DECIMAL(${t.precision}, ${t.scale}))`);
    case 'bytes':
      return bytes(v);
    case 'date':
      return orFail(i, v, `CASE WHEN ${INFINITE(v)} THEN NULL ELSE TRY_CAST(replace(${v}, ' BC', ' (BC)') AS DATE) END`);
    case 'timestamp':
      return timestamp(i, v, t.utc);
    case 'json': // as text: the file declares it JSON (see parquet-columns' convertedType)
    case 'text':
      return text(v);
  }
}

export interface ParquetWrite {
  /** The columns' types, in order; the file names them c0, c1, …, left for the caller to name. */
  types: ParquetType[];
  codec: ParquetCodec;
  /** Rows the text holds: the statement checks that it wrote as many. */
  rows: number;
  /** Bytes the rows take: no line is longer. */
  bytes: number;
}

/** Writes the Parquet file `out` of the COPY text in `file` (which starts with FIRST_LINE), in one row group. */
export async function copyTextToParquet(connection: DuckDBConnection, file: string, out: string, w: ParquetWrite): Promise<void> {
  const columns = w.types.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  // A line must fit in read_csv's buffer, which it allocates whole (16 times max_line_size by default): the buffer
  // is the text's size (at least read_csv's default line size), so the text is read in one.
  const buffer = Math.max(2 << 20, FIRST_LINE.length + w.bytes + 1);
  const read = `read_csv(${sqlString(file)}, columns = {${columns}}, auto_detect = false, header = false, skip = 1, delim = '\\t',
    quote = '', escape = '', nullstr = '\\N', new_line = '\\n', max_line_size = ${buffer}, buffer_size = ${buffer})`;
  const select = w.types.map((t, i) => `${typed(t, i)} AS c${i}`).join(', ');
  // One row group: DuckDB ends a row group at ROW_GROUP_SIZE rows or ROW_GROUP_SIZE KiB of values, and the text
  // holds a row group's rows (at most a few tens of MiB, or one longer row). PARQUET_VERSION V2: the delta
  // encodings beside dictionaries, whose pages are smaller before compression and so cheaper to compress.
  const sql = `COPY (SELECT ${select} FROM ${read}) TO ${sqlString(out)}
    (FORMAT parquet, COMPRESSION ${w.codec}, PARQUET_VERSION V2, ROW_GROUP_SIZE ${Math.max(w.rows, 1) * 1024}, WRITE_BLOOM_FILTER false)`;
  let written: number;
  try {
    written = Number((await connection.runAndReadAll(sql)).getRows()[0][0]);
  } catch (err) {
    const m = new RegExp(`${MARK}(\\d+):(.*)$`, 's').exec((err as Error).message);
    throw m ? new UnrepresentableValue(Number(m[1]), m[2]) : err;
  }
  if (written !== w.rows) throw new Error(`DuckDB wrote ${written} rows to Parquet of the ${w.rows} rows COPY sent`);
}
