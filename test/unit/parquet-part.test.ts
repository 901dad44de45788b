// COPY text in, a Parquet part out (written by DuckDB, one row group at a time, joined), read back by DuckDB:
// types, values, row groups, compression, failures, and the temp dir gone whatever the outcome.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ParquetPart, type ParquetPartOptions } from '../../activities/extract/parquet-part';
import type { ColumnInfo } from '../../domain/plan';
import { ParquetReader } from '../support/parquet';

let reader: ParquetReader;
let temp: string;
const tmpdirBefore = process.env.TMPDIR;
beforeAll(async () => {
  reader = await ParquetReader.open();
  temp = mkdtempSync(join(tmpdir(), 'sluice-part-test-'));
  process.env.TMPDIR = temp; // where the parts make their temp dirs
});
afterAll(() => {
  reader.close();
  process.env.TMPDIR = tmpdirBefore;
  rmSync(temp, { recursive: true, force: true });
});
afterEach(() => expect(readdirSync(temp)).toEqual([])); // no part leaves its temp dir behind

const part = (columns: ColumnInfo[], options: Partial<ParquetPartOptions> = {}) =>
  new ParquetPart({ columns, compression: 'none', gzipLevel: 1, rowGroupRows: 1000, rowGroupBytes: 1 << 20, ...options });

async function encode(columns: ColumnInfo[], chunks: (string | Buffer)[], options: Partial<ParquetPartOptions> = {}): Promise<Buffer> {
  const p = part(columns, options);
  const out = new PassThrough();
  const bytes: Buffer[] = [];
  out.on('data', (b: Buffer) => bytes.push(b));
  try {
    for (const chunk of chunks) await p.write(Buffer.from(chunk));
    await p.finish(out);
  } catch (err) {
    await p.abort();
    throw err;
  }
  return Buffer.concat(bytes);
}

const copyText = (rows: string[][]) => rows.map((r) => `${r.join('\t')}\n`).join('');

const col = (name: string, type: string, digits: Pick<ColumnInfo, 'precision' | 'scale'> = {}): ColumnInfo => ({ name, type, ...digits });
const TYPES: ColumnInfo[] = [
  col('bo', 'boolean'), col('i2', 'smallint'), col('i4', 'integer'), col('i8', 'bigint'), col('f4', 'real'), col('f8', 'double precision'),
  col('dec', 'numeric', { precision: 20, scale: 4 }), col('num', 'numeric'), col('bin', 'bytea'), col('d', 'date'),
  col('ts', 'timestamp without time zone'), col('tstz', 'timestamp with time zone'), col('j', 'json'), col('t', 'text'), col('ia', 'integer[]'),
];

// Each column as DuckDB reads it, in a form that compares exactly: text for decimals, micros for timestamps.
const EXACT = `bo, i2, i4, i8, f4, f8, dec::VARCHAR AS dec, num, bin, d - DATE '1970-01-01' AS d, epoch_us(ts) AS ts,
  epoch_us(tstz) AS tstz, j::VARCHAR AS j, t, ia`;

test('every type reads back with its value; NULL stays NULL and the empty string stays empty', async () => {
  const file = await encode(TYPES, [copyText([
    ['t', '-32768', '2147483647', '-9223372036854775808', '-3.4028235e+38', '5e-324', '-12345678901234.5678', '1e-100', '\\\\x00ff5c',
      '0001-01-01 BC', '2000-01-01 00:00:00.000001', '2000-01-01 05:30:00+05:30', '{"a": 1,  "a": [2]}', 'tab\\there 😀', '{1,NULL}'],
    ['f', '0', '0', '9007199254740993', 'NaN', '-Infinity', '0.0000', 'NaN', '\\\\x', '2024-02-29', '1969-12-31 23:59:59.999999',
      '0044-03-15 12:00:00+00 BC', '""', '', '{}'],
    Array(TYPES.length).fill('\\N'),
  ])]);
  const rows = await reader.rows(file, EXACT);
  expect(rows[0]).toEqual({
    bo: true, i2: -32768, i4: 2147483647, i8: -9223372036854775808n, f4: -3.4028234663852886e38, f8: 5e-324, dec: '-12345678901234.5678',
    num: '1e-100', bin: new Uint8Array([0, 255, 0x5c]), d: -719528n, ts: 946684800000001n, tstz: 946684800000000n, j: '{"a": 1,  "a": [2]}',
    t: 'tab\there 😀', ia: '{1,NULL}',
  });
  expect(rows[1]).toMatchObject({ bo: false, i8: 9007199254740993n, f4: NaN, f8: -Infinity, dec: '0.0000', num: 'NaN', bin: new Uint8Array([]), d: 19782n, ts: -1n, j: '""', t: '' });
  // 44 BC (astronomical -43), March 15, noon: 735160 days before 1970 (719162 back to 1 AD, 15998 more), plus 12 h.
  expect(rows[1].tstz).toBe((-735_160n * 86_400n + 43_200n) * 1_000_000n);
  expect(Object.values(rows[2]).every((v) => v === null)).toBe(true);
});

test('text as COPY escapes it, a value starting with a byte-order mark, bytea in either output style, far and odd times', async () => {
  const columns: ColumnInfo[] = [
    col('t', 'text'), col('b', 'bytea'), col('ts', 'timestamp with time zone'), col('d', 'date'), col('f4', 'real'), col('f8', 'double precision'),
  ];
  const file = await encode(columns, [copyText([
    ['\uFEFFbom first', '\\\\000a\\\\\\\\\\\\377', '1900-01-01 00:09:21+00:09:21', '5874897-12-31', '-0', '-0'],
    ['\\\\n is not a newline \\\\\\\\ \\n\\r\\t\\b\\f\\v \\\\', '\\\\x', '0044-03-15 12:00:00.5-01:30 BC', '4714-11-24 BC', 'Infinity', '1.7976931348623157e+308'],
    ['\\\\', '', '10000-01-01 00:00:00+00', '10000-01-01', '1.1754944e-38', '2.2250738585072014e-308'],
  ])]);
  // hex(t): JavaScript's TextDecoder would drop a byte-order mark that starts a string
  const rows = await reader.rows(file, `hex(t) AS t, b, epoch_us(ts) AS ts, d - DATE '1970-01-01' AS d, f4, f8`);
  const texts = ['\uFEFFbom first', '\\n is not a newline \\\\ \n\r\t\b\f\v \\', '\\'];
  expect(rows.map((r) => r.t)).toEqual(texts.map((t) => Buffer.from(t).toString('hex').toUpperCase()));
  expect(rows.map((r) => Buffer.from(r.b as Uint8Array).toString('hex'))).toEqual(['00615cff', '', '']);
  expect(rows.map((r) => r.ts)).toEqual([-2208988800000000n, (-735_160n * 86_400n + 43_200n + 5_400n) * 1_000_000n + 500_000n, 253402300800000000n]);
  expect(rows.map((r) => r.d)).toEqual([2145042905n, -2440588n, 2932897n]);
  expect(Object.is(rows[0].f4, -0) && Object.is(rows[0].f8, -0)).toBe(true);
  expect(rows.slice(1).map((r) => [r.f4, r.f8])).toEqual([[Infinity, 1.7976931348623157e308], [1.1754943508222875e-38, 2.2250738585072014e-308]]);
});

test('the file declares the types: physical, converted and logical, every column OPTIONAL, named as in PostgreSQL', async () => {
  const schema = await reader.schema(await encode(TYPES, []));
  const declared = Object.fromEntries(schema.map((c) => [c.name, [c.type, c.converted_type, c.logical_type, c.duckdb_type]]));
  expect(declared).toEqual({
    bo: ['BOOLEAN', null, null, 'BOOLEAN'],
    i2: ['INT32', 'INT_16', null, 'SMALLINT'],
    i4: ['INT32', null, null, 'INTEGER'],
    i8: ['INT64', null, null, 'BIGINT'],
    f4: ['FLOAT', null, null, 'FLOAT'],
    f8: ['DOUBLE', null, null, 'DOUBLE'],
    dec: ['FIXED_LEN_BYTE_ARRAY', 'DECIMAL', expect.stringContaining('DecimalType(scale=4, precision=20)'), 'DECIMAL(20,4)'],
    num: ['BYTE_ARRAY', 'UTF8', null, 'VARCHAR'],
    bin: ['BYTE_ARRAY', null, null, 'BLOB'],
    d: ['INT32', 'DATE', null, 'DATE'],
    ts: ['INT64', null, expect.stringContaining('TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds()'), 'TIMESTAMP'],
    tstz: ['INT64', 'TIMESTAMP_MICROS', expect.stringContaining('TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds()'), 'TIMESTAMP WITH TIME ZONE'],
    j: ['BYTE_ARRAY', 'JSON', expect.stringContaining('JsonType'), 'JSON'],
    t: ['BYTE_ARRAY', 'UTF8', null, 'VARCHAR'],
    ia: ['BYTE_ARRAY', 'UTF8', null, 'VARCHAR'],
  });
  expect(schema.every((c) => c.repetition_type === 'OPTIONAL')).toBe(true);
  const odd: ColumnInfo[] = [col('A', 'text'), col('a', 'text'), col('x "y", z\n', 'integer')];
  const file = await encode(odd, [copyText([['1', '2', '3']])]);
  expect((await reader.schema(file)).map((c) => c.name)).toEqual(['A', 'a', 'x "y", z\n']);
  expect(await reader.rows(file, '"A", "a_1", "x ""y"", z\n" AS n')).toEqual([{ A: '1', a_1: '2', n: 3 }]);
});

test('a file of no rows is a valid file with the schema', async () => {
  const file = await encode(TYPES, []);
  expect(await reader.rows(file)).toEqual([]);
  expect(await reader.chunks(file)).toEqual([]);
});

const NUMBERED: ColumnInfo[] = [col('n', 'integer'), col('label', 'text')];
const numbered = (count: number, label = 'x') => copyText(Array.from({ length: count }, (_, i) => [String(i), label]));

describe('row groups', () => {
  const groups = async (file: Buffer) => (await reader.chunks(file)).filter((c) => c.path_in_schema === 'n').map((c) => Number(c.row_group_num_rows));

  test('a row group ends at rowGroupRows rows', async () => {
    const file = await encode(NUMBERED, [numbered(10)], { rowGroupRows: 3 });
    expect(await groups(file)).toEqual([3, 3, 3, 1]);
    expect((await reader.rows(file, 'n')).map((r) => r.n)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  test('each chunk is let go once the spool has written it, also one that ends a row group midway', async () => {
    const p = part(NUMBERED, { rowGroupRows: 3 });
    const text = numbered(10);
    const lines = text.split(/(?<=\n)/);
    const chunks = [lines.slice(0, 2), lines.slice(2, 7), lines.slice(7)].map((l) => Buffer.from(l.join('')));
    const consumed: number[] = [];
    for (const [i, chunk] of chunks.entries()) await p.write(chunk, () => consumed.push(i));
    const out = new PassThrough();
    const bytes: Buffer[] = [];
    out.on('data', (b: Buffer) => bytes.push(b));
    await p.finish(out);
    expect(consumed.sort()).toEqual([0, 1, 2]);
    expect((await reader.rows(Buffer.concat(bytes), 'n')).map((r) => r.n)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  test('rows beyond a vector of DuckDB (2048) in a row group, and many row groups, in order', async () => {
    const file = await encode(NUMBERED, [numbered(25_000)], { rowGroupRows: 10_000 });
    expect(await groups(file)).toEqual([10_000, 10_000, 5_000]);
    const rows = await reader.rows(file, 'n');
    expect(rows.every((r, i) => r.n === i)).toBe(true);
    expect(await reader.rows(file, `count(*) FILTER (WHERE n = 12345) AS hit`)).toEqual([{ hit: 1n }]);
  });

  test('a row group ends at about rowGroupBytes of text, however few its rows', async () => {
    const wide = 'w'.repeat(1000);
    const file = await encode(NUMBERED, [numbered(10, wide)], { rowGroupRows: 1000, rowGroupBytes: 2500 });
    expect(await groups(file)).toEqual([3, 3, 3, 1]);
    expect((await reader.rows(file, 'label')).every((r) => r.label === wide)).toBe(true);
  });

  test('rows split across chunks at every byte read back the same', async () => {
    const text = Buffer.from(numbered(50, 'é\\\\N'));
    const file = await encode(NUMBERED, [...text].map((b) => Buffer.from([b])), { rowGroupRows: 7 });
    expect(await reader.rows(file)).toEqual(Array.from({ length: 50 }, (_, i) => ({ n: i, label: 'é\\N' })));
  });
});

test.each([
  ['gzip', 'GZIP'],
  ['zstd', 'ZSTD'],
  ['snappy', 'SNAPPY'],
  ['none', 'UNCOMPRESSED'],
] as const)('compression %s: every column chunk is %s inside the file', async (compression, codec) => {
  const file = await encode(NUMBERED, [numbered(100)], { compression, rowGroupRows: 40 });
  const chunks = await reader.chunks(file);
  expect(chunks.length).toBe(6);
  expect(chunks.every((c) => c.compression === codec)).toBe(true);
  expect((await reader.rows(file)).length).toBe(100);
});

describe('values the column type cannot hold fail the part with unrepresentable_value', () => {
  test.each<[string, string, string]>([
    ['timestamp with time zone', 'infinity', `column "v" (timestamp with time zone) holds 'infinity'`],
    ['timestamp without time zone', '294276-12-31 23:59:59.999999', `column "v" (timestamp without time zone) holds '294276-12-31 23:59:59.999999'`],
    ['date', '-infinity', `column "v" (date) holds '-infinity', which Parquet's DATE cannot hold`],
  ])('%s %s', async (type, value, message) => {
    const columns: ColumnInfo[] = [col('n', 'integer'), col('v', type)];
    await expect(encode(columns, [`1\t\\N\n2\t${value}\n`])).rejects.toMatchObject({ code: 'unrepresentable_value', message: expect.stringContaining(message) });
  });

  test('NaN in a numeric(p, s), in a later row group', async () => {
    const columns: ColumnInfo[] = [col('x', 'numeric', { precision: 9, scale: 2 })];
    await expect(encode(columns, ['1.00\n2.00\nNaN\n'], { rowGroupRows: 2 })).rejects.toMatchObject({
      code: 'unrepresentable_value', message: `column "x" (numeric) holds NaN, which Parquet's DECIMAL(9, 2) cannot hold`,
    });
  });
});

test('a row with another number of fields than columns is an error', async () => {
  await expect(encode(NUMBERED, ['1\tone\textra\n'])).rejects.toThrow();
});

test('COPY output that ends inside a row is an error', async () => {
  await expect(encode(NUMBERED, ['1\tone\n2\tt'])).rejects.toThrow('COPY output ended inside a row');
});

test('an abort while a row group converts stops it; the temp dir goes', async () => {
  const controller = new AbortController();
  const p = part(NUMBERED, { rowGroupRows: 100_000, signal: controller.signal });
  await p.write(Buffer.from(numbered(100_000)));
  controller.abort();
  await p.abort();
  await expect(p.finish(new PassThrough())).rejects.toThrow();
});
