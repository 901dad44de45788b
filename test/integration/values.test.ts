// Values round-trip exactly: CSV parts are byte for byte what psql's COPY writes, NDJSON lines are PostgreSQL's
// own row_to_json, for a table of awkward types and values in a schema and table whose names need quoting.
import { escapeIdentifier, type Client as PgClient } from 'pg';
import { joinCsvParts, runExtraction } from '../support/jobs';
import { sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';
import { ndjsonLines, psqlCsv, qualified, rowToJson, verifiedParts } from './oracle';

const ROWS = 3000;
const PART_ROWS = 500;

let s: TestSluice;
let src: PgClient;
const schema = uniqueName('Odd "Schema"');
const name = uniqueName('Vals "T", x');
const table = qualified(schema, name);
const request = { table: `${schema}.${name}`, orderBy: [{ column: 'id' }] };
const weird = 'Weird "Name", too';

// One value per row from a list, cycling at a different pace for each column so the combinations vary.
const pick = (pace: number, values: string[]) => `(ARRAY[${values.join(', ')}])[1 + (g * ${pace}) % ${values.length}]`;

const TEXTS = [
  'NULL', `''`, `'plain'`, `'say "hi", ok'`, `E'line1\\nline2'`, `E'cr\\ronly'`, `E'crlf\\r\\n'`, `E'\\n'`, `'"'`, `','`,
  `E'back\\\\slash \\\\N \\\\.'`, `E'\\\\.'`, `'\\N'`, `'NULL'`, `E'tab\\there'`, `E'ctl \\x01\\x08\\x0c\\x0b\\x7f'`,
  `'😀 👨‍👩‍👧 emoji'`, `'漢字かな한글'`, `E'e\\u0301 a\\u0308 combining'`, `E'\\u2028\\u2029 separators'`, `'  padded  '`, `E'"\\n",\\r\\n"'`,
];
const NUMERICS = [
  'NULL', `'0'`, `'-0.000000000000000000000000000001'`, `'123456789012345678901234567890.123456789012345678901234567890'`,
  `'NaN'`, `'Infinity'`, `'-Infinity'`, `'1e-100'`, `'9.99e+130'`, `'100.10'`, `'-42'`,
];
const FLOATS = [
  'NULL', `'Infinity'`, `'-Infinity'`, `'NaN'`, `'1.7976931348623157e308'`, `'5e-324'`, `'2.2250738585072014e-308'`, `'-0'`,
  `'0.1'`, `'1e-7'`, `'123456789012345680000'`, `'3.141592653589793'`, `'9007199254740993'`,
];
const REALS = ['NULL', `'Infinity'`, `'-3.4028235e38'`, `'1.1754944e-38'`, `'0.1'`, `'NaN'`, `'16777217'`];
const INT8S = ['NULL', `'9223372036854775807'`, `'-9223372036854775808'`, `'0'`, `'-1'`, `'9007199254740993'`];
const TIMESTAMPTZS = [
  'NULL', `'2024-02-29 23:59:59.999999+00'`, `'2000-01-01 00:00:00+05:30'`, `'1999-12-31 23:59:59-08'`, `'0044-03-15 12:00:00+00 BC'`,
  `'4713-01-01 00:00:00+00 BC'`, `'infinity'`, `'-infinity'`, `'294276-12-31 23:59:59.999999+00'`, `'1970-01-01 00:00:00+00'`,
  `'2021-03-14 02:30:00 America/New_York'`, `'2021-11-07 01:30:00-04'`, `'1901-01-01 00:00:00+14:00'`,
];
const DATES = ['NULL', `'2024-02-29'`, `'0001-01-01 BC'`, `'infinity'`, `'-infinity'`, `'5874897-12-31'`, `'4714-11-24 BC'`];
const TIMES = ['NULL', `'00:00'`, `'23:59:59.999999'`, `'24:00:00'`, `'12:34:56.5'`];
const TIMETZS = ['NULL', `'12:00+05:30'`, `'00:00:00-15:59'`, `'23:59:59.999999+00'`];
const INTERVALS = [
  'NULL', `'1 year 2 months 3 days 04:05:06.789'`, `'-1 day +02:00'`, `'178000000 years'`, `'-00:00:00.000001'`, `'0'`, `'1 mon -1 sec'`,
];
const BYTEAS = ['NULL', `'\\x00'`, `'\\x'`, `'\\x000102ff00'`, `'\\x5c22272c0a0d00'`];
const JSONS = [
  'NULL', `'null'`, `E'{"a": 1,\\n  "a": 2}'`, `E'[ 1 , "two" ,\\t null ]\\r\\n'`, `'{"big": 123456789012345678901234567890, "exp": 1e400, "neg0": -0.0}'`,
  `'{"emoji": "😀", "esc": "\\u0000 \\"q\\" \\\\\\\\ \\/ \\n \\t \\u00e9", "k\\"ey": true}'`, `E'\\n\\n  "just a string"  \\n'`, `'{}'`, `'[]'`,
];
const JSONBS = [
  'NULL', `'null'`, `'{"a": 1, "a": 2}'`, `'[1, "two", null]'`, `'{"n": 1.50, "big": 123456789012345678901234567890, "tiny": 1e-30}'`,
  `'"str \\\\n \\"q\\""'`, `'{"nested": {"x": [1, {"y": "😀"}]}}'`, `'{}'`,
];
const TEXT_ARRAYS = [
  'NULL', `'{}'`, `'{NULL,"","x y","a,b","q\\"q","back\\\\slash","NULL","{}"}'`, `'{😀,漢字,"e\u0301"}'`, `E'{"line\\nbreak","cr\\rhere"}'`,
];
const INT_ARRAYS = ['NULL', `'{}'`, `'{{1,2},{3,4}}'`, `'{{{1}},{{2}}}'`, `'[0:1]={7,8}'`, `'{NULL,-2147483648,2147483647}'`];
const CHARS = ['NULL', `'a'`, `''`, `'abc'`];
const WEIRDS = ['NULL', `'x'`, `''`, `'"'`];

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: String(PART_ROWS), SLUICE_PART_PARALLELISM: '3' });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`);
  await src.query(`CREATE TABLE ${table} (
    id int PRIMARY KEY, t text, ${escapeIdentifier(weird)} text, n numeric, f float8, r real, b int8, ts timestamptz, d date,
    tm time, ttz timetz, iv interval, by bytea, j json, jb jsonb, ta text[], ia int[], u uuid, bo boolean, c char(3))`);
  await src.query(`INSERT INTO ${table}
    SELECT g,
      ${pick(1, TEXTS)}::text || CASE WHEN g % 4 = 0 THEN ' #' || g ELSE '' END,
      ${pick(3, WEIRDS)}::text,
      ${pick(5, NUMERICS)}::numeric,
      CASE WHEN g % 3 = 0 THEN g / 7.0::float8 ELSE ${pick(7, FLOATS)}::float8 END,
      ${pick(11, REALS)}::real,
      ${pick(13, INT8S)}::int8,
      CASE WHEN g % 2 = 0 THEN timestamptz '2025-01-01 00:00+00' + g * interval '1 minute 1.000001 second' ELSE ${pick(17, TIMESTAMPTZS)}::timestamptz END,
      ${pick(19, DATES)}::date,
      ${pick(23, TIMES)}::time,
      ${pick(29, TIMETZS)}::timetz,
      ${pick(31, INTERVALS)}::interval,
      CASE WHEN g % 7 = 0 THEN decode(md5(g::text), 'hex') || '\\x00'::bytea ELSE ${pick(37, BYTEAS)}::bytea END,
      ${pick(41, JSONS)}::text::json,
      ${pick(43, JSONBS)}::text::jsonb,
      (${pick(47, TEXT_ARRAYS)}::text)::text[],
      (${pick(53, INT_ARRAYS)}::text)::int[],
      CASE WHEN g % 9 = 0 THEN NULL ELSE md5(g::text)::uuid END,
      CASE g % 3 WHEN 0 THEN true WHEN 1 THEN false END,
      ${pick(59, CHARS)}::char(3)
    FROM generate_series(1, ${ROWS}) g`);
  await src.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

const everyRow = `SELECT * FROM ${table} ORDER BY id`;

// row_to_json writes raw line breaks and tabs only as whitespace between JSON tokens (of json values kept as
// written); Sluice's NDJSON turns those into spaces so that every row stays one line. Nothing else may differ.
const asOneLine = (json: string) => json.replace(/[\n\r\t]/g, ' ');

// Every value of every list above, NULL included, is in some row: [column, values, type].
const LISTS: [string, string[], string][] = [
  ['t', TEXTS, 'text'], [weird, WEIRDS, 'text'], ['n', NUMERICS, 'numeric'], ['f', FLOATS, 'float8'], ['r', REALS, 'real'],
  ['b', INT8S, 'int8'], ['ts', TIMESTAMPTZS, 'timestamptz'], ['d', DATES, 'date'], ['tm', TIMES, 'time'], ['ttz', TIMETZS, 'timetz'],
  ['iv', INTERVALS, 'interval'], ['by', BYTEAS, 'bytea'], ['j', JSONS, 'json'], ['jb', JSONBS, 'jsonb'], ['ta', TEXT_ARRAYS, 'text[]'],
  ['ia', INT_ARRAYS, 'int[]'], ['c', CHARS, 'char(3)'],
];

test.each(LISTS)('the table holds every value listed for %s', async (column, values, type) => {
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
