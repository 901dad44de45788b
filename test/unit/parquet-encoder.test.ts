// COPY text in, a Parquet file out, read back by DuckDB: types, values, row groups, compression.
import { Readable } from 'node:stream';
import { ParquetEncoder, type ParquetEncoderOptions } from '../../activities/extract/parquet-encoder';
import type { ColumnInfo } from '../../domain/plan';
import { ParquetReader } from '../support/parquet';

let reader: ParquetReader;
beforeAll(async () => {
  reader = await ParquetReader.open();
});
afterAll(() => reader.close());

async function encode(columns: ColumnInfo[], chunks: string[] | Buffer[], options: Partial<ParquetEncoderOptions> = {}): Promise<Buffer> {
  const encoder = new ParquetEncoder({ columns, compression: 'none', gzipLevel: 1, rowGroupRows: 1000, rowGroupBytes: 1 << 20, ...options });
  const out: Buffer[] = [];
  for await (const bytes of Readable.from(chunks.map((c) => Buffer.from(c))).pipe(encoder)) out.push(bytes);
  return Buffer.concat(out);
}

const copyText = (rows: string[][]) => rows.map((r) => `${r.join('\t')}\n`).join('');

const TYPES: ColumnInfo[] = [
  { name: 'bo', type: 'boolean' },
  { name: 'i2', type: 'smallint' },
  { name: 'i4', type: 'integer' },
  { name: 'i8', type: 'bigint' },
  { name: 'f4', type: 'real' },
  { name: 'f8', type: 'double precision' },
  { name: 'dec', type: 'numeric', precision: 20, scale: 4 },
  { name: 'num', type: 'numeric' },
  { name: 'bin', type: 'bytea' },
  { name: 'd', type: 'date' },
  { name: 'ts', type: 'timestamp without time zone' },
  { name: 'tstz', type: 'timestamp with time zone' },
  { name: 'j', type: 'json' },
  { name: 't', type: 'text' },
  { name: 'ia', type: 'integer[]' },
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

test('the file declares the types: physical, converted and logical', async () => {
  const schema = await reader.schema(await encode(TYPES, []));
  const declared = Object.fromEntries(schema.map((c) => [c.name, [c.type, c.converted_type, c.logical_type]]));
  expect(declared).toEqual({
    bo: ['BOOLEAN', null, null],
    i2: ['INT32', 'INT_16', null],
    i4: ['INT32', null, null],
    i8: ['INT64', null, null],
    f4: ['FLOAT', null, null],
    f8: ['DOUBLE', null, null],
    dec: ['FIXED_LEN_BYTE_ARRAY', 'DECIMAL', expect.stringContaining('DecimalType(scale=4, precision=20)')],
    num: ['BYTE_ARRAY', 'UTF8', expect.stringContaining('StringType')],
    bin: ['BYTE_ARRAY', null, null],
    d: ['INT32', 'DATE', expect.stringContaining('DateType')],
    ts: ['INT64', null, expect.stringContaining('TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds()')],
    tstz: ['INT64', 'TIMESTAMP_MICROS', expect.stringContaining('TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds()')],
    j: ['BYTE_ARRAY', 'JSON', expect.stringContaining('JsonType')],
    t: ['BYTE_ARRAY', 'UTF8', expect.stringContaining('StringType')],
    ia: ['BYTE_ARRAY', 'UTF8', expect.stringContaining('StringType')],
  });
  expect(schema.every((c) => c.repetition_type === 'OPTIONAL')).toBe(true);
});

test('a file of no rows is a valid file with the schema', async () => {
  const file = await encode(TYPES, []);
  expect(await reader.rows(file)).toEqual([]);
  expect(await reader.chunks(file)).toEqual([]);
});

const NUMBERED: ColumnInfo[] = [{ name: 'n', type: 'integer' }, { name: 'label', type: 'text' }];
const numbered = (count: number, label = 'x') => copyText(Array.from({ length: count }, (_, i) => [String(i), label]));

describe('row groups', () => {
  const groups = async (file: Buffer) => (await reader.chunks(file)).filter((c) => c.path_in_schema === 'n').map((c) => Number(c.row_group_num_rows));

  test('a row group ends at rowGroupRows rows', async () => {
    const file = await encode(NUMBERED, [numbered(10)], { rowGroupRows: 3 });
    expect(await groups(file)).toEqual([3, 3, 3, 1]);
    expect((await reader.rows(file, 'n')).map((r) => r.n)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  test('a row group ends at about rowGroupBytes of memory, however few its rows', async () => {
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
  ['none', 'UNCOMPRESSED'],
] as const)('compression %s: every column chunk is %s inside the file', async (compression, codec) => {
  const file = await encode(NUMBERED, [numbered(100)], { compression, rowGroupRows: 40 });
  const chunks = await reader.chunks(file);
  expect(chunks.length).toBe(6);
  expect(chunks.every((c) => c.compression === codec)).toBe(true);
  expect((await reader.rows(file)).length).toBe(100);
});

test('a value the column type cannot hold fails the stream with unrepresentable_value', async () => {
  const columns: ColumnInfo[] = [{ name: 'at', type: 'timestamp with time zone' }];
  await expect(encode(columns, ['2024-01-01 00:00:00+00\n', 'infinity\n'])).rejects.toMatchObject({
    code: 'unrepresentable_value', message: expect.stringContaining(`column "at" (timestamp with time zone) holds 'infinity'`),
  });
});

test('a row with another number of fields than columns is an error', async () => {
  await expect(encode(NUMBERED, ['1\tone\textra\n'])).rejects.toThrow('COPY sent a row of 3 fields for 2 columns');
});

test('COPY output that ends inside a row is an error', async () => {
  await expect(encode(NUMBERED, ['1\tone\n2\tt'])).rejects.toThrow('COPY output ended inside a row');
});
