// Every split strategy extracts exactly the rows of the source: none lost, none twice, in the requested order.
import type { Client as PgClient } from 'pg';
import { joinCsvParts, runExtraction } from '../support/jobs';
import { sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';
import { csvRows, ndjsonLines, psqlCsv, rowToJson, verifiedParts } from './oracle';

const PART_ROWS = 1500;

let s: TestSluice;
let src: PgClient;
const keyed = uniqueName('keyed'); // int primary key with gaps, rows stored in random order
const wide = uniqueName('wide'); // bigint primary key spanning the whole int8 range
const heap = uniqueName('heap'); // no primary key, duplicate rows, holes left by deletes

const sorted = (rows: string[]) => [...rows].sort();

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: String(PART_ROWS), SLUICE_PART_PARALLELISM: '3' });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${keyed} (id int PRIMARY KEY, label text, amount numeric)`);
  await src.query(`INSERT INTO ${keyed} SELECT g * 3, 'label ' || (g % 97), g / 8.0 FROM generate_series(1, 6000) g ORDER BY random()`);
  await src.query(`CREATE TABLE ${wide} (id bigint PRIMARY KEY, label text)`);
  await src.query(`INSERT INTO ${wide} SELECT (g - 2500)::bigint * 3689348814741910, 'w' || g FROM generate_series(1, 4999) g`);
  await src.query(`INSERT INTO ${wide} VALUES (-9223372036854775808, 'min'), (9223372036854775807, 'max'), (-9223372036854775807, 'min+1'), (9223372036854775806, 'max-1')`);
  await src.query(`CREATE TABLE ${heap} (n int, label text, at timestamptz)`);
  await src.query(`INSERT INTO ${heap} SELECT g % 5000, 'row ' || (g % 7000), timestamptz '2025-01-01 00:00+00' + (g % 3000) * interval '1 second' FROM generate_series(1, 21000) g`);
  await src.query(`DELETE FROM ${heap} WHERE n % 10 = 3`);
  for (const t of [keyed, wide, heap]) await src.query(`VACUUM ANALYZE ${t}`);
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

describe('key-range', () => {
  test('an int key with gaps, stored out of order: every row once', async () => {
    const result = await runExtraction(s, { table: keyed, compression: 'none' });
    expect(result.plan?.strategy).toBe('key-range');
    expect(result.manifest!.parts.length).toBeGreaterThan(2);
    expect(result.manifest!.rows).toBe(6000);
    const parts = await verifiedParts(s, result.manifest!);
    expect(sorted(parts.flatMap(csvRows))).toEqual(sorted(csvRows(psqlCsv(`SELECT * FROM ${keyed}`))));
  });

  test('ordered by the key ascending: the same bytes as COPY … ORDER BY id', async () => {
    const result = await runExtraction(s, { table: keyed, orderBy: [{ column: 'id' }], compression: 'none' });
    expect(result.plan?.strategy).toBe('key-range');
    expect(joinCsvParts(await verifiedParts(s, result.manifest!))).toBe(psqlCsv(`SELECT * FROM ${keyed} ORDER BY id`));
  });

  test('ordered by the key descending: descending across parts too', async () => {
    const result = await runExtraction(s, { table: keyed, orderBy: [{ column: 'id', direction: 'desc' }], compression: 'gzip' });
    expect(result.plan?.strategy).toBe('key-range');
    const parts = await verifiedParts(s, result.manifest!);
    expect(parts.length).toBeGreaterThan(2);
    const ids = parts.flatMap(csvRows).map((r) => Number(r.split(',')[0]));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(joinCsvParts(parts)).toBe(psqlCsv(`SELECT * FROM ${keyed} ORDER BY id DESC`));
  });

  test('a bigint key from int8 min to int8 max: every row once', async () => {
    const result = await runExtraction(s, { table: wide, orderBy: [{ column: 'id' }], compression: 'none' });
    expect(result.plan?.strategy).toBe('key-range');
    expect(result.manifest!.parts.length).toBeGreaterThan(2);
    expect(result.manifest!.rows).toBe(5003);
    const parts = await verifiedParts(s, result.manifest!);
    parts.forEach((p, i) => expect(csvRows(p).length).toBe(result.manifest!.parts[i].rows));
    expect(joinCsvParts(parts)).toBe(psqlCsv(`SELECT * FROM ${wide} ORDER BY id`));
  });

  test('NDJSON over key ranges: the same rows as row_to_json', async () => {
    const result = await runExtraction(s, { table: wide, format: 'ndjson' });
    expect(result.plan?.strategy).toBe('key-range');
    const lines = ndjsonLines(await verifiedParts(s, result.manifest!));
    expect(sorted(lines)).toEqual(sorted(await rowToJson(src, `SELECT * FROM ${wide}`)));
  });
});

describe('block-range', () => {
  test('a table without a key, with duplicates and holes: every row as often as it is stored', async () => {
    const total = Number((await src.query(`SELECT count(*) FROM ${heap}`)).rows[0].count);
    const result = await runExtraction(s, { table: heap, compression: 'gzip' });
    expect(result.plan?.strategy).toBe('block-range');
    expect(result.manifest!.parts.length).toBeGreaterThan(3);
    expect(result.manifest!.rows).toBe(total);
    const parts = await verifiedParts(s, result.manifest!);
    parts.forEach((p, i) => expect(csvRows(p).length).toBe(result.manifest!.parts[i].rows));
    expect(sorted(parts.flatMap(csvRows))).toEqual(sorted(csvRows(psqlCsv(`SELECT * FROM ${heap}`))));
  });

  test('NDJSON over block ranges, zstd: the same rows as row_to_json', async () => {
    const result = await runExtraction(s, { table: heap, columns: ['label', 'n'], format: 'ndjson', compression: 'zstd' });
    expect(result.plan?.strategy).toBe('block-range');
    expect(result.manifest!.parts.every((p) => p.key.endsWith('.ndjson.zst'))).toBe(true);
    const lines = ndjsonLines(await verifiedParts(s, result.manifest!));
    expect(sorted(lines)).toEqual(sorted(await rowToJson(src, `SELECT label, n FROM ${heap}`)));
  });
});

describe('single-stream', () => {
  test('ordered by columns other than the key: one stream in that order, cut every SLUICE_PART_ROWS rows', async () => {
    const orderBy = [{ column: 'label', direction: 'desc' }, { column: 'id' }];
    const result = await runExtraction(s, { table: keyed, orderBy, compression: 'gzip' });
    expect(result.plan?.strategy).toBe('single-stream');
    expect(result.manifest!.parts.map((p) => p.rows)).toEqual([1500, 1500, 1500, 1500]);
    const parts = await verifiedParts(s, result.manifest!);
    expect(joinCsvParts(parts)).toBe(psqlCsv(`SELECT * FROM ${keyed} ORDER BY label DESC, id`));
  });

  test('ordered by one non-key column on a table without a key', async () => {
    const result = await runExtraction(s, { table: heap, orderBy: [{ column: 'at' }], columns: ['at'], compression: 'zstd' });
    expect(result.manifest!.parts.every((p) => p.key.endsWith('.csv.zst'))).toBe(true);
    expect(result.plan?.strategy).toBe('single-stream');
    expect(joinCsvParts(await verifiedParts(s, result.manifest!))).toBe(psqlCsv(`SELECT at FROM ${heap} ORDER BY at`));
  });

  test('a query: exactly its rows, in its order', async () => {
    const query = `SELECT k.id, k.label, h.n FROM ${keyed} k JOIN ${heap} h ON h.n = k.id WHERE k.id % 2 = 1 ORDER BY k.id DESC, h.label`;
    const result = await runExtraction(s, { query, format: 'ndjson', compression: 'gzip' });
    expect(result.plan?.strategy).toBe('single-stream');
    const expected = await rowToJson(src, query);
    expect(expected.length).toBeGreaterThan(PART_ROWS);
    expect(result.manifest!.rows).toBe(expected.length);
    expect(ndjsonLines(await verifiedParts(s, result.manifest!))).toEqual(expected);
  });
});
