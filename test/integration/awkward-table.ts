// A table of awkward types and values (quotes, line breaks, escapes, emoji, NaN, ±Infinity, BC dates, int8 and
// numeric beyond 2^53, json as written) in a schema and table whose names need quoting. Shared by the tests of
// each format; not a test file itself.
import { escapeIdentifier, type Client as PgClient } from 'pg';
import { qualified } from './oracle';

export const AWKWARD_ROWS = 3000;
export const WEIRD_COLUMN = 'Weird "Name", too';
const weird = WEIRD_COLUMN;

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

// Every value of every list above, NULL included, is in some row: [column, values, type].
export const AWKWARD_LISTS: [string, string[], string][] = [
  ['t', TEXTS, 'text'], [weird, WEIRDS, 'text'], ['n', NUMERICS, 'numeric'], ['f', FLOATS, 'float8'], ['r', REALS, 'real'],
  ['b', INT8S, 'int8'], ['ts', TIMESTAMPTZS, 'timestamptz'], ['d', DATES, 'date'], ['tm', TIMES, 'time'], ['ttz', TIMETZS, 'timetz'],
  ['iv', INTERVALS, 'interval'], ['by', BYTEAS, 'bytea'], ['j', JSONS, 'json'], ['jb', JSONBS, 'jsonb'], ['ta', TEXT_ARRAYS, 'text[]'],
  ['ia', INT_ARRAYS, 'int[]'], ['c', CHARS, 'char(3)'],
];

/** Creates the schema and the table, with id 1 … AWKWARD_ROWS as its integer primary key. */
export async function createAwkwardTable(src: PgClient, schema: string, name: string): Promise<void> {
  const table = qualified(schema, name);
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
    FROM generate_series(1, ${AWKWARD_ROWS}) g`);
  await src.query(`ANALYZE ${table}`);
}
