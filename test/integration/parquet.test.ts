// Parquet parts, each read back on its own by DuckDB, hold exactly the source's values in typed columns, in row
// groups, compressed inside the file, whatever the split; values Parquet cannot hold fail the job clearly.
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { escapeIdentifier, type Client as PgClient } from 'pg';
import type { ColumnInfo } from '../../domain/plan';
import type { Manifest } from '../../domain/extraction-job';
import { runExtraction } from '../support/jobs';
import { ParquetReader } from '../support/parquet';
import { sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';
import { AWKWARD_ROWS, WEIRD_COLUMN, createAwkwardTable } from './awkward-table';
import { failedJob, qualified, verifiedFiles } from './oracle';
import { parquetRows, sourceRows } from './parquet-oracle';

const PART_ROWS = 500;
const ROW_GROUP_ROWS = 200;

let s: TestSluice;
let src: PgClient;
let reader: ParquetReader;
const schema = uniqueName('Odd "Schema"');
const name = uniqueName('Vals "T", x');
const awkward = qualified(schema, name);
const typed = uniqueName('typed');
const heap = uniqueName('heap');

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: String(PART_ROWS), SLUICE_PART_PARALLELISM: '3', SLUICE_PARQUET_ROW_GROUP_ROWS: String(ROW_GROUP_ROWS) });
  await s.startWorker();
  src = await sourceClient();
  reader = await ParquetReader.open();
  await createAwkwardTable(src, schema, name);
  const mood = uniqueName('mood');
  const positive = uniqueName('positive');
  await src.query(`CREATE TYPE ${mood} AS ENUM ('sad', 'ok', 'happy')`);
  await src.query(`CREATE DOMAIN ${positive} AS int CHECK (VALUE > 0)`);
  await src.query(`CREATE TABLE ${typed} (
    id bigint PRIMARY KEY, b boolean, i2 smallint, i4 int, i8 bigint, f4 real, f8 float8, n92 numeric(9,2), n204 numeric(20,4),
    n380 numeric(38,0), n5010 numeric(50,10), n numeric, t text, vc varchar(10), c char(3), nm name, u uuid, e ${mood},
    pos ${positive}, by bytea, d date, ts timestamp, tstz timestamptz, j json, jb jsonb, ia int[], iv interval, inet inet)`);
  await src.query(`INSERT INTO ${typed}
    SELECT g, g % 2 = 0, (g % 65536) - 32768, g * 1000003, (g::numeric * 9007199254740993 % 9223372036854775807)::bigint, g / 3.0, g / 7.0,
      (g * 12345.67 % 9999999)::numeric(9,2), g * 1234567890123.4567, g * 12345678901234567890123456789,
      g * 1234567890123456789012345678901234567.123456789, g / 7.0, 'text ' || g, 'v' || g, chr(64 + g % 26), 'n' || g,
      md5(g::text)::uuid, (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::${mood}, g, decode(md5(g::text), 'hex'),
      date '1900-01-01' + g * 30, timestamp '0044-03-15 BC' + g * interval '1 day 1.000001 second',
      timestamptz '1900-01-01 00:00+00' + g * interval '47 days 1 hour 0.5 second', json_build_object('g', g, 'big', 12345678901234567890),
      jsonb_build_object('g', g), ARRAY[g, -g], g * interval '1 day 1 second', ('10.0.' || g % 256 || '.1')::inet
    FROM generate_series(1, 1200) g`);
  await src.query(`INSERT INTO ${typed} (id) VALUES (0)`); // every column NULL but the key
  await src.query(`ANALYZE ${typed}`);
  await src.query(`CREATE TABLE ${heap} (n int, label text, at timestamptz)`);
  await src.query(`INSERT INTO ${heap} SELECT g % 500, 'row ' || (g % 700), timestamptz '2025-01-01 00:00+00' + g * interval '1 second' FROM generate_series(1, 4000) g`);
  await src.query(`DELETE FROM ${heap} WHERE n % 10 = 3`);
  await src.query(`VACUUM ANALYZE ${heap}`);
});

afterAll(async () => {
  reader?.close();
  await src?.end();
  await s?.close();
});

/** Every part of a completed Parquet job, checked against the manifest and read by DuckDB: its rows per part. */
async function partsRead(manifest: Manifest) {
  expect(manifest.format).toBe('parquet');
  const files = await verifiedFiles(s, manifest);
  manifest.parts.forEach((p, i) => expect(p.key).toMatch(new RegExp(`/part-${String(i + 1).padStart(5, '0')}\\.parquet$`)));
  const rows = await parquetRows(reader, files, manifest.columns);
  rows.forEach((r, i) => expect(r.length).toBe(manifest.parts[i].rows));
  return { files, rows };
}

// The awkward table's values that Parquet can hold: timestamps within 64-bit microseconds, finite dates.
const representable = `SELECT * FROM ${awkward}
  WHERE (ts IS NULL OR (isfinite(ts) AND ts < '294247-01-01')) AND (d IS NULL OR isfinite(d)) ORDER BY id`;

const CODECS = { gzip: 'GZIP', zstd: 'ZSTD', snappy: 'SNAPPY', none: 'UNCOMPRESSED' } as const;

describe.each(['gzip', 'zstd', 'snappy', 'none'] as const)('compression %s', (compression) => {
  const codec = CODECS[compression];

  test('key ranges of the awkward table: every part a whole Parquet file of row groups, its values those of PostgreSQL', async () => {
    const columns = ['id', 't', WEIRD_COLUMN, 'n', 'f', 'r', 'b', 'tm', 'ttz', 'iv', 'by', 'j', 'jb', 'ta', 'ia', 'u', 'bo', 'c'];
    const result = await runExtraction(s, { table: `${schema}.${name}`, columns, orderBy: [{ column: 'id' }], format: 'parquet', compression });
    expect(result.state).toBe('Completed');
    expect(result.plan?.strategy).toBe('key-range');
    const manifest = result.manifest!;
    expect(manifest.parts.length).toBeGreaterThan(3);
    expect(manifest.rows).toBe(AWKWARD_ROWS);
    const { files, rows } = await partsRead(manifest);
    const select = `SELECT ${columns.map(escapeIdentifier).join(', ')} FROM ${awkward} ORDER BY id`;
    expect(rows.flat()).toEqual(await sourceRows(src, select, manifest.columns));
    for (const [i, file] of files.entries()) {
      const chunks = await reader.chunks(file);
      expect(chunks.every((c) => c.compression === codec)).toBe(true);
      const groups = chunks.filter((c) => c.path_in_schema === 'id').map((c) => Number(c.row_group_num_rows));
      expect(groups.every((n) => n <= ROW_GROUP_ROWS)).toBe(true);
      expect(groups.reduce((a, b) => a + b, 0)).toBe(manifest.parts[i].rows);
    }
    const head = await s.rt.s3.send(new HeadObjectCommand({ Bucket: s.config.SLUICE_S3_BUCKET, Key: manifest.parts[0].key }));
    expect(head.ContentType).toBe('application/vnd.apache.parquet');
  });

  test('a query cut into parts every SLUICE_PART_ROWS rows: NULLs, BC and far dates, DST, each part in row groups', async () => {
    const result = await runExtraction(s, { query: representable, format: 'parquet', compression });
    expect(result.plan?.strategy).toBe('single-stream');
    const manifest = result.manifest!;
    const expected = await sourceRows(src, representable, manifest.columns);
    expect(expected.length).toBeGreaterThan(2 * PART_ROWS);
    expect(manifest.parts.map((p) => p.rows).slice(0, -1)).toEqual(Array(manifest.parts.length - 1).fill(PART_ROWS));
    const { files, rows } = await partsRead(manifest);
    expect(rows.flat()).toEqual(expected);
    const groups = (await reader.chunks(files[0])).filter((c) => c.path_in_schema === 'id').map((c) => Number(c.row_group_num_rows));
    expect(groups).toEqual([200, 200, 100]);
  });
});

test('typed columns from the catalog: the types the file declares, as DuckDB reads them, and every value', async () => {
  const result = await runExtraction(s, { table: typed, orderBy: [{ column: 'id' }], format: 'parquet', timeZone: 'Europe/Paris' });
  expect(result.plan?.strategy).toBe('key-range');
  const manifest = result.manifest!;
  expect(manifest.columns.find((c) => c.name === 'n92')).toEqual({ name: 'n92', type: 'numeric', precision: 9, scale: 2 });
  const { files, rows } = await partsRead(manifest);
  expect(files.length).toBeGreaterThan(1);
  expect(rows.flat()).toEqual(await sourceRows(src, `SELECT * FROM ${typed} ORDER BY id`, manifest.columns));
  const declared = Object.fromEntries((await reader.schema(files[0])).map((c) => [c.name, [c.type, c.converted_type, c.duckdb_type]]));
  expect(declared).toEqual({
    id: ['INT64', null, 'BIGINT'], b: ['BOOLEAN', null, 'BOOLEAN'], i2: ['INT32', 'INT_16', 'SMALLINT'], i4: ['INT32', null, 'INTEGER'],
    i8: ['INT64', null, 'BIGINT'], f4: ['FLOAT', null, 'FLOAT'], f8: ['DOUBLE', null, 'DOUBLE'],
    n92: ['INT32', 'DECIMAL', 'DECIMAL(9,2)'], n204: ['FIXED_LEN_BYTE_ARRAY', 'DECIMAL', 'DECIMAL(20,4)'],
    n380: ['FIXED_LEN_BYTE_ARRAY', 'DECIMAL', 'DECIMAL(38,0)'], n5010: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'], n: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'],
    t: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'], vc: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'], c: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'],
    nm: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'], u: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'], e: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'],
    pos: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'], by: ['BYTE_ARRAY', null, 'BLOB'], d: ['INT32', 'DATE', 'DATE'], ts: ['INT64', null, 'TIMESTAMP'],
    tstz: ['INT64', 'TIMESTAMP_MICROS', 'TIMESTAMP WITH TIME ZONE'], j: ['BYTE_ARRAY', 'JSON', 'JSON'], jb: ['BYTE_ARRAY', 'JSON', 'JSON'],
    ia: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'], iv: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'], inet: ['BYTE_ARRAY', 'UTF8', 'VARCHAR'],
  });
});

test('block ranges of a table without a key: every row as often as it is stored', async () => {
  const result = await runExtraction(s, { table: heap, format: 'parquet' });
  expect(result.plan?.strategy).toBe('block-range');
  const manifest = result.manifest!;
  expect(manifest.parts.length).toBeGreaterThan(2);
  const { rows } = await partsRead(manifest);
  const sorted = (r: (string | null)[][]) => r.map((row) => JSON.stringify(row)).sort();
  expect(sorted(rows.flat())).toEqual(sorted(await sourceRows(src, `SELECT * FROM ${heap}`, manifest.columns)));
});

test('a query with no rows: one Parquet file with the columns and no rows', async () => {
  const result = await runExtraction(s, { query: `SELECT * FROM ${typed} WHERE false`, format: 'parquet' });
  const manifest = result.manifest!;
  expect(manifest.parts.length).toBe(1);
  const [file] = await verifiedFiles(s, manifest);
  expect(await reader.rows(file)).toEqual([]);
  expect((await reader.schema(file)).map((c) => c.name)).toEqual(manifest.columns.map((c: ColumnInfo) => c.name));
});

describe('values Parquet cannot hold', () => {
  test.each([
    ['timestamptz infinity', `SELECT id, ts FROM ${awkward} ORDER BY id`, `column "ts" (timestamp with time zone) holds '`],
    ['date infinity', `SELECT d FROM ${awkward} WHERE NOT isfinite(d)`, `column "d" (date) holds '`],
    ['NaN in numeric(9,2)', `SELECT 'NaN'::numeric(9,2) AS x`, `column "x" (numeric) holds NaN, which Parquet's DECIMAL(9, 2) cannot hold`],
  ])('%s fails the job at once, naming the column and what to do', async (_name, query, message) => {
    const failed = await failedJob(s, { query, format: 'parquet' });
    expect(failed.error).toMatchObject({ code: 'unrepresentable_value', retryable: false, message: expect.stringContaining(message) });
    expect(failed.error.suggestion).toContain('col::text');
    expect(failed.attempts).toBe(1);
  });

  test('the way around: the column as text in a query', async () => {
    const query = `SELECT id, ts::text AS ts, d::text AS d FROM ${awkward} ORDER BY id`;
    const result = await runExtraction(s, { query, format: 'parquet' });
    const { rows } = await partsRead(result.manifest!);
    expect(rows.flat()).toEqual(await sourceRows(src, query, result.manifest!.columns));
    expect(rows.flat().some(([, ts]) => ts === 'infinity')).toBe(true);
  });
});

test('a query that repeats a column name cannot be Parquet: the job fails at planning, naming the name', async () => {
  const failed = await failedJob(s, { query: 'SELECT 1 AS a, 2 AS a', format: 'parquet' });
  expect(failed.error).toMatchObject({ code: 'invalid_query', retryable: false, message: 'the query returns more than one column named "a"' });
  expect(failed.error.suggestion).toContain('distinct aliases');
});
