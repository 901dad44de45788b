// Each filter operator on each column type returns exactly what PostgreSQL returns for the equivalent WHERE;
// filter values are only ever values; a value the column type cannot read fails the job for good.
import type { Client as PgClient } from 'pg';
import { joinCsvParts, runExtraction } from '../support/jobs';
import { sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';
import { csvRows, failedJob, psqlCsv, verifiedParts } from './oracle';

const ROWS = 240;

let s: TestSluice;
let src: PgClient;
const table = uniqueName('filtered');
const AWKWARD = `O'Brien "q" \\ ] }`;

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: '20', SLUICE_PART_PARALLELISM: '3' });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id int PRIMARY KEY, qty int, name text, at timestamptz, amount numeric, code char(3), flags bit(3))`);
  await src.query(
    `INSERT INTO ${table} SELECT g,
       CASE WHEN g % 10 = 0 THEN NULL ELSE g % 37 END,
       CASE g % 8 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'apple ' || g WHEN 3 THEN 'Apple ' || g WHEN 4 THEN 'banana_' || g
                  WHEN 5 THEN '100% pure' WHEN 6 THEN $1 ELSE 'Zed' END,
       CASE WHEN g % 9 = 0 THEN NULL ELSE timestamptz '2025-01-01 00:00+00' + (g % 50) * interval '1 hour' END,
       CASE WHEN g % 11 = 0 THEN NULL WHEN g % 13 = 0 THEN 'NaN' ELSE (g % 20) / 4.0 END,
       CASE g % 4 WHEN 0 THEN 'a' WHEN 1 THEN 'abc' WHEN 2 THEN 'b' END,
       (g % 8)::bit(3)
     FROM generate_series(1, ${ROWS}) g`,
    [AWKWARD],
  );
  await src.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

type Value = string | number | boolean | (string | number | boolean)[];
interface Case { column: string; op: string; value?: Value; where: string }

const sqlText = (v: string) => `'${v.replace(/'/g, "''")}'`;

const CASES: Case[] = [
  { column: 'qty', op: 'eq', value: 5, where: 'qty = 5' },
  { column: 'qty', op: 'eq', value: '5', where: 'qty = 5' },
  { column: 'qty', op: 'ne', value: 5, where: 'qty <> 5' },
  { column: 'qty', op: 'lt', value: 3, where: 'qty < 3' },
  { column: 'qty', op: 'lte', value: 3, where: 'qty <= 3' },
  { column: 'qty', op: 'gt', value: 33, where: 'qty > 33' },
  { column: 'qty', op: 'gte', value: '33', where: 'qty >= 33' },
  { column: 'qty', op: 'in', value: [1, 2, '3'], where: 'qty IN (1, 2, 3)' },
  { column: 'qty', op: 'not_in', value: [1, 2, 3], where: 'qty NOT IN (1, 2, 3)' },
  { column: 'qty', op: 'like', value: '1%', where: `qty::text LIKE '1%'` },
  { column: 'qty', op: 'ilike', value: '%2', where: `qty::text ILIKE '%2'` },
  { column: 'qty', op: 'is_null', where: 'qty IS NULL' },
  { column: 'qty', op: 'is_not_null', where: 'qty IS NOT NULL' },

  { column: 'name', op: 'eq', value: 'Zed', where: `name = 'Zed'` },
  { column: 'name', op: 'eq', value: '', where: `name = ''` },
  { column: 'name', op: 'eq', value: AWKWARD, where: `name = ${sqlText(AWKWARD)}` },
  { column: 'name', op: 'ne', value: 'Zed', where: `name <> 'Zed'` },
  { column: 'name', op: 'lt', value: 'Apple', where: `name < 'Apple'` },
  { column: 'name', op: 'lte', value: 'Zed', where: `name <= 'Zed'` },
  { column: 'name', op: 'gt', value: 'apple 2', where: `name > 'apple 2'` },
  { column: 'name', op: 'gte', value: 'banana_', where: `name >= 'banana_'` },
  { column: 'name', op: 'in', value: ['Zed', '', AWKWARD], where: `name IN ('Zed', '', ${sqlText(AWKWARD)})` },
  { column: 'name', op: 'not_in', value: ['Zed', ''], where: `name NOT IN ('Zed', '')` },
  { column: 'name', op: 'like', value: 'apple%', where: `name LIKE 'apple%'` },
  { column: 'name', op: 'like', value: '100\\%%', where: `name LIKE '100\\%%'` },
  { column: 'name', op: 'like', value: 'banana\\_1%', where: `name LIKE 'banana\\_1%'` },
  { column: 'name', op: 'ilike', value: 'APPLE 1%', where: `name ILIKE 'APPLE 1%'` },
  { column: 'name', op: 'is_null', where: 'name IS NULL' },
  { column: 'name', op: 'is_not_null', where: 'name IS NOT NULL' },

  { column: 'at', op: 'eq', value: '2025-01-01T05:00:00Z', where: `at = '2025-01-01 05:00:00+00'` },
  { column: 'at', op: 'eq', value: '2025-01-01 10:30:00+05:30', where: `at = '2025-01-01 05:00:00+00'` },
  { column: 'at', op: 'ne', value: '2025-01-01T05:00:00Z', where: `at <> '2025-01-01 05:00:00+00'` },
  { column: 'at', op: 'lt', value: '2025-01-01T10:00:00Z', where: `at < '2025-01-01 10:00:00+00'` },
  { column: 'at', op: 'lte', value: '2025-01-01 15:30:00+05:30', where: `at <= '2025-01-01 10:00:00+00'` },
  { column: 'at', op: 'gt', value: '2025-01-02T00:00:00-00:30', where: `at > '2025-01-02 00:30:00+00'` },
  { column: 'at', op: 'gte', value: '2025-01-02T00:00:00Z', where: `at >= '2025-01-02 00:00:00+00'` },
  { column: 'at', op: 'in', value: ['2025-01-01T01:00:00Z', '2025-01-01 07:30:00+05:30'], where: `at IN ('2025-01-01 01:00+00', '2025-01-01 02:00+00')` },
  { column: 'at', op: 'not_in', value: ['2025-01-01T01:00:00Z', '2025-01-01T02:00:00Z'], where: `at NOT IN ('2025-01-01 01:00+00', '2025-01-01 02:00+00')` },
  { column: 'at', op: 'like', value: '2025-01-01 0%', where: `at::text LIKE '2025-01-01 0%'` },
  { column: 'at', op: 'ilike', value: '2025-01-02 %+00', where: `at::text ILIKE '2025-01-02 %+00'` },
  { column: 'at', op: 'is_null', where: 'at IS NULL' },
  { column: 'at', op: 'is_not_null', where: 'at IS NOT NULL' },

  { column: 'amount', op: 'eq', value: 1.5, where: 'amount = 1.5' },
  { column: 'amount', op: 'eq', value: '1.50', where: 'amount = 1.5' },
  { column: 'amount', op: 'eq', value: 'NaN', where: `amount = 'NaN'` },
  { column: 'amount', op: 'ne', value: 1.5, where: 'amount <> 1.5' },
  { column: 'amount', op: 'lt', value: 1, where: 'amount < 1' },
  { column: 'amount', op: 'lte', value: '1.25', where: 'amount <= 1.25' },
  { column: 'amount', op: 'gt', value: 4, where: 'amount > 4' },
  { column: 'amount', op: 'gte', value: 'NaN', where: `amount >= 'NaN'` },
  { column: 'amount', op: 'in', value: [0.25, '4.75', 'NaN'], where: `amount IN (0.25, 4.75, 'NaN')` },
  { column: 'amount', op: 'not_in', value: [0, 0.25], where: 'amount NOT IN (0, 0.25)' },
  { column: 'amount', op: 'like', value: '%.5%', where: `amount::text LIKE '%.5%'` },
  { column: 'amount', op: 'ilike', value: 'nan', where: `amount::text ILIKE 'nan'` },
  { column: 'amount', op: 'is_null', where: 'amount IS NULL' },
  { column: 'amount', op: 'is_not_null', where: 'amount IS NOT NULL' },

  // char(n) and bit(n): a value is compared whole, not cut to the one character of a bare "character" cast
  { column: 'code', op: 'eq', value: 'abc', where: `code = 'abc'` },
  { column: 'code', op: 'in', value: ['abc', 'b'], where: `code IN ('abc', 'b')` },
  { column: 'code', op: 'gte', value: 'abc', where: `code >= 'abc'` },
  { column: 'flags', op: 'eq', value: '101', where: `flags = B'101'` },
  { column: 'flags', op: 'not_in', value: ['101', '011'], where: `flags NOT IN (B'101', B'011')` },
];

test('the cases cover every operator on every column', () => {
  for (const column of ['qty', 'name', 'at', 'amount']) {
    const ops = new Set(CASES.filter((c) => c.column === column).map((c) => c.op));
    expect([...ops].sort()).toEqual(['eq', 'gt', 'gte', 'ilike', 'in', 'is_not_null', 'is_null', 'like', 'lt', 'lte', 'ne', 'not_in']);
  }
});

test.each(CASES)('$column $op $value', async ({ column, op, value, where }) => {
  const expected = psqlCsv(`SELECT * FROM ${table} WHERE ${where} ORDER BY id`);
  const matched = csvRows(expected).length;
  expect(matched).toBeGreaterThan(0); // each case selects some rows and leaves some out
  expect(matched).toBeLessThan(ROWS);
  const result = await runExtraction(s, { table, filter: [{ column, op, value }], orderBy: [{ column: 'id' }], compression: 'none' });
  expect(result.state).toBe('Completed');
  expect(result.manifest!.rows).toBe(matched);
  expect(joinCsvParts(await verifiedParts(s, result.manifest!))).toBe(expected);
});

test('several conditions together, over several key-range parts', async () => {
  const filter = [
    { column: 'qty', op: 'is_not_null' },
    { column: 'name', op: 'not_in', value: ['Zed'] },
    { column: 'at', op: 'lt', value: '2025-01-02T00:00:00Z' },
    { column: 'amount', op: 'gte', value: 1 },
  ];
  const expected = psqlCsv(`SELECT * FROM ${table} WHERE qty IS NOT NULL AND name NOT IN ('Zed') AND at < '2025-01-02 00:00+00' AND amount >= 1 ORDER BY id`);
  const result = await runExtraction(s, { table, filter, orderBy: [{ column: 'id' }], compression: 'none' });
  expect(result.plan?.strategy).toBe('key-range');
  expect(result.manifest!.parts.length).toBeGreaterThan(1);
  expect(joinCsvParts(await verifiedParts(s, result.manifest!))).toBe(expected);
});

test('a timestamptz value without an offset is read in the request timeZone', async () => {
  const filter = [{ column: 'at', op: 'lte', value: '2025-01-01 10:30:00' }];
  const where = `WHERE at <= '2025-01-01 10:30:00' ORDER BY id`;
  const expected = psqlCsv(`SELECT * FROM ${table} ${where}`, 'Asia/Kolkata');
  expect(expected).not.toBe(psqlCsv(`SELECT * FROM ${table} ${where}`, 'UTC'));
  const result = await runExtraction(s, { table, filter, orderBy: [{ column: 'id' }], timeZone: 'Asia/Kolkata', compression: 'none' });
  expect(joinCsvParts(await verifiedParts(s, result.manifest!))).toBe(expected);
});

describe('a filter value full of SQL is just a value', () => {
  const count = async () => Number((await src.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
  const sqls = [
    `'); DROP TABLE ${table}; --`,
    `x' OR '1'='1`,
    `"]'); DROP TABLE ${table}; SELECT ('`,
    `', true); DROP TABLE ${table}; --`,
  ];

  test.each(['eq', 'like', 'ilike', 'ne'])('%s on a text column', async (op) => {
    for (const value of sqls) {
      const result = await runExtraction(s, { table, filter: [{ column: 'name', op, value }], compression: 'none' });
      expect(result.state).toBe('Completed');
      expect(result.manifest!.rows).toBe(op === 'ne' ? Number((await src.query(`SELECT count(*) FROM ${table} WHERE name IS NOT NULL`)).rows[0].count) : 0);
    }
    expect(await count()).toBe(ROWS);
  });

  test('in and not_in on a text column', async () => {
    const matched = await runExtraction(s, { table, filter: [{ column: 'name', op: 'in', value: sqls }], compression: 'none' });
    expect(matched.manifest!.rows).toBe(0);
    const unmatched = await runExtraction(s, { table, filter: [{ column: 'name', op: 'not_in', value: sqls }], compression: 'none' });
    expect(unmatched.manifest!.rows).toBe(Number((await src.query(`SELECT count(*) FROM ${table} WHERE name IS NOT NULL`)).rows[0].count));
    expect(await count()).toBe(ROWS);
  });
});

describe('a value the column type cannot read fails the job with invalid_value, not retryable', () => {
  test.each([
    { column: 'qty', op: 'eq', value: 'abc' },
    { column: 'qty', op: 'gt', value: 99999999999 },
    { column: 'qty', op: 'in', value: [1, 'two'] },
    { column: 'qty', op: 'lt', value: `1); DROP TABLE ${table}; --` },
    { column: 'at', op: 'gte', value: 'not a time' },
    { column: 'amount', op: 'ne', value: '1,5' },
  ])('$column $op $value', async (condition) => {
    const snapshot = await failedJob(s, { table, filter: [condition] });
    expect(snapshot.error).toMatchObject({ code: 'invalid_value', retryable: false });
    expect(snapshot.error.sqlstate).toMatch(/^22/);
    expect(Number((await src.query(`SELECT count(*) FROM ${table}`)).rows[0].count)).toBe(ROWS);
  });
});
