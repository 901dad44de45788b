// Values round-trip exactly: CSV parts are byte for byte what psql's COPY writes, NDJSON lines are PostgreSQL's
// own row_to_json, for a table of awkward types and values in a schema and table whose names need quoting.
import { escapeIdentifier, type Client as PgClient } from 'pg';
import { joinCsvParts, runExtraction } from '../support/jobs';
import { sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';
import { AWKWARD_LISTS, AWKWARD_ROWS as ROWS, WEIRD_COLUMN as weird, createAwkwardTable } from './awkward-table';
import { ndjsonLines, psqlCsv, qualified, rowToJson, verifiedParts } from './oracle';

const PART_ROWS = 500;

let s: TestSluice;
let src: PgClient;
const schema = uniqueName('Odd "Schema"');
const name = uniqueName('Vals "T", x');
const table = qualified(schema, name);
const request = { table: `${schema}.${name}`, orderBy: [{ column: 'id' }] };

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: String(PART_ROWS), SLUICE_PART_PARALLELISM: '3' });
  await s.startWorker();
  src = await sourceClient();
  await createAwkwardTable(src, schema, name);
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

const everyRow = `SELECT * FROM ${table} ORDER BY id`;

// row_to_json writes raw line breaks and tabs only as whitespace between JSON tokens (of json values kept as
// written); Sluice's NDJSON turns those into spaces so that every row stays one line. Nothing else may differ.
const asOneLine = (json: string) => json.replace(/[\n\r\t]/g, ' ');

test.each(AWKWARD_LISTS)('the table holds every value listed for %s', async (column, values, type) => {
  const col = escapeIdentifier(column);
  const present = values.map((v) => `EXISTS (SELECT 1 FROM ${table} WHERE ${col}::text IS NOT DISTINCT FROM (${v}::text)::${type}::text)`);
  const { rows } = await src.query<{ present: boolean[] }>(`SELECT ARRAY[${present.join(', ')}] AS present`);
  expect(values.filter((_, i) => !rows[0].present[i])).toEqual([]);
});

describe.each(['gzip', 'none'] as const)('CSV, compression %s', (compression) => {
  test('key-range parts are byte-identical to psql COPY, with checksums that match the stored objects', async () => {
    const result = await runExtraction(s, { ...request, compression });
    expect(result.state).toBe('Completed');
    expect(result.plan?.strategy).toBe('key-range');
    const manifest = result.manifest!;
    expect(manifest.parts.length).toBeGreaterThanOrEqual(ROWS / PART_ROWS - 1);
    expect(manifest.rows).toBe(ROWS);
    expect(manifest.columns.map((c) => c.name)).toEqual([
      'id', 't', weird, 'n', 'f', 'r', 'b', 'ts', 'd', 'tm', 'ttz', 'iv', 'by', 'j', 'jb', 'ta', 'ia', 'u', 'bo', 'c',
    ]);
    const parts = await verifiedParts(s, manifest);
    const header = psqlCsv(everyRow).split('\n', 1)[0] + '\n';
    parts.forEach((p) => expect(p.startsWith(header)).toBe(true));
    expect(joinCsvParts(parts)).toBe(psqlCsv(everyRow));
  });

  test('a query cut into parts at row ends (not at line breaks inside values) is byte-identical to psql COPY', async () => {
    const result = await runExtraction(s, { query: everyRow, compression });
    expect(result.plan?.strategy).toBe('single-stream');
    const manifest = result.manifest!;
    expect(manifest.parts.map((p) => p.rows)).toEqual(Array(ROWS / PART_ROWS).fill(PART_ROWS));
    const parts = await verifiedParts(s, manifest);
    // Each part on its own is whole CSV: an even number of quotes, its first row the next id after the last part's.
    parts.forEach((p) => expect((p.match(/"/g) ?? []).length % 2).toBe(0));
    const firstIds = parts.map((p) => Number(p.split('\n')[1].split(',')[0]));
    expect(firstIds).toEqual(parts.map((_, i) => 1 + i * PART_ROWS));
    expect(joinCsvParts(parts)).toBe(psqlCsv(everyRow));
  });
});

test('column names with quotes, commas and line breaks: every part of a query starts with the whole header', async () => {
  const query = `SELECT id AS x, t AS "multi\nline ""name""", ${escapeIdentifier(weird)} AS "a,b\r\nc" FROM ${table} ORDER BY id`;
  const header = psqlCsv(`SELECT * FROM (${query}) q LIMIT 0`);
  expect(header.split('\n').length).toBeGreaterThan(3);
  const result = await runExtraction(s, { query, compression: 'none' });
  expect(result.manifest!.columns.map((c) => c.name)).toEqual(['x', 'multi\nline "name"', 'a,b\r\nc']);
  const parts = await verifiedParts(s, result.manifest!);
  expect(parts.length).toBe(ROWS / PART_ROWS);
  parts.forEach((p) => expect(p.startsWith(header)).toBe(true));
  expect(header + parts.map((p) => p.slice(header.length)).join('')).toBe(psqlCsv(query));
});

describe.each(['gzip', 'none'] as const)('NDJSON, compression %s', (compression) => {
  test('key-range parts hold one line per row, each exactly row_to_json of that row', async () => {
    const result = await runExtraction(s, { ...request, format: 'ndjson', compression });
    expect(result.plan?.strategy).toBe('key-range');
    expect(result.manifest!.parts.length).toBeGreaterThan(1);
    expect(result.manifest!.rows).toBe(ROWS);
    const lines = ndjsonLines(await verifiedParts(s, result.manifest!));
    expect(lines.length).toBe(ROWS);
    const expected = await rowToJson(src, everyRow);
    // Compared as text, so a number that lost digits (int8, numeric) or a changed escape would show.
    expect(lines).toEqual(expected.map(asOneLine));
    lines.forEach((line, i) => expect(JSON.parse(line)).toEqual(JSON.parse(expected[i])));
  });

  test('a query cut into parts keeps rows whose json holds line breaks on one line each', async () => {
    const query = `SELECT id, j, t FROM ${table} WHERE j::text ~ '[\\n\\r\\t]' OR t ~ '[\\n\\r]' ORDER BY id`;
    const result = await runExtraction(s, { query, format: 'ndjson', compression });
    expect(result.plan?.strategy).toBe('single-stream');
    const manifest = result.manifest!;
    const expected = await rowToJson(src, query);
    expect(expected.length).toBeGreaterThan(PART_ROWS);
    expect(expected.some((l) => l.includes('\n'))).toBe(true);
    expect(manifest.rows).toBe(expected.length);
    const parts = await verifiedParts(s, manifest);
    parts.forEach((p, i) => expect(ndjsonLines([p]).length).toBe(manifest.parts[i].rows));
    const lines = ndjsonLines(parts);
    expect(lines).toEqual(expected.map(asOneLine));
    lines.forEach((line, i) => expect(JSON.parse(line)).toEqual(JSON.parse(expected[i])));
  });
});

describe('timeZone', () => {
  const zoned = `SELECT id, ts, ttz, d FROM ${table} ORDER BY id`;

  test('CSV timestamptz text is what psql writes with that PGTZ', async () => {
    const kolkata = await runExtraction(s, { ...request, columns: ['id', 'ts', 'ttz', 'd'], timeZone: 'Asia/Kolkata', compression: 'none' });
    const csv = joinCsvParts(await verifiedParts(s, kolkata.manifest!));
    expect(csv).toBe(psqlCsv(zoned, 'Asia/Kolkata'));
    expect(csv).not.toBe(psqlCsv(zoned, 'UTC'));
    expect(csv).toContain('+05:30');

    const utc = await runExtraction(s, { ...request, columns: ['id', 'ts', 'ttz', 'd'], compression: 'none' });
    expect(joinCsvParts(await verifiedParts(s, utc.manifest!))).toBe(psqlCsv(zoned, 'UTC'));
  });

  test('NDJSON timestamptz text is row_to_json in that time zone', async () => {
    const result = await runExtraction(s, { query: zoned, format: 'ndjson', timeZone: 'America/St_Johns' });
    const lines = ndjsonLines(await verifiedParts(s, result.manifest!));
    expect(lines).toEqual(await rowToJson(src, zoned, 'America/St_Johns'));
    expect(lines.join('\n')).toMatch(/-0[23]:30"/);
  });
});
