// A query can only read: whatever tries to write fails the job for good and leaves the source as it was.
import type { Client as PgClient } from 'pg';
import { runExtraction } from '../support/jobs';
import { sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';
import { failedJob } from './oracle';

let s: TestSluice;
let src: PgClient;
const table = uniqueName('guarded');
const seq = uniqueName('guarded_seq');

beforeAll(async () => {
  s = await testSluice({ SLUICE_PART_ROWS: '100' });
  await s.startWorker();
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'v' || g FROM generate_series(1, 250) g`);
  await src.query(`CREATE SEQUENCE ${seq}`);
});

afterAll(async () => {
  await src?.end();
  await s?.close();
});

/** Everything that could change: the rows, the table's existence, the sequence. */
async function sourceState() {
  const { rows } = await src.query(
    `SELECT to_regclass($1)::text AS rel, (SELECT md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM ${table}) AS rows,
            (SELECT last_value || ':' || is_called FROM ${seq}) AS seq`,
    [table],
  );
  return rows[0];
}

// [what, the job's error code, query]
const WRITES: [string, string, string][] = [
  ['a second statement', 'syntax_error', `SELECT 1; DELETE FROM ${table}`],
  ['a second statement after a trailing semicolon', 'syntax_error', `SELECT 1; DELETE FROM ${table};`],
  ['a data-modifying CTE', 'feature_not_supported', `WITH gone AS (DELETE FROM ${table} RETURNING *) SELECT * FROM gone`],
  ['an UPDATE … RETURNING', 'syntax_error', `UPDATE ${table} SET v = 'x' RETURNING *`],
  ['an INSERT … RETURNING', 'syntax_error', `INSERT INTO ${table} VALUES (1000, 'x') RETURNING *`],
  ['a plain DELETE', 'syntax_error', `DELETE FROM ${table}`],
  ['SELECT … FOR UPDATE', 'read_only_violation', `SELECT * FROM ${table} FOR UPDATE`],
  ['a function that writes (nextval)', 'read_only_violation', `SELECT nextval('${seq}')`],
  ['a table created from a select', 'syntax_error', `SELECT * INTO ${table}_copy FROM ${table}`],
  ['breaking out of the COPY wrapper', 'syntax_error', `SELECT 1) AS x) TO STDOUT; COMMIT; DELETE FROM ${table}; COPY (SELECT (1`],
  ['breaking out of the subquery', 'syntax_error', `SELECT 1) AS x; DELETE FROM ${table}; SELECT * FROM (SELECT 1`],
  ['a comment hiding the end of the wrapper', 'syntax_error', `SELECT 1) AS x; DELETE FROM ${table}; --`],
  ['leaving read-only mode', 'read_only_violation', `SELECT set_config('transaction_read_only', 'off', true)`],
];

test.each(WRITES)('%s fails the job with %s, not retryable, and changes nothing', async (_what, code, query) => {
  const before = await sourceState();
  const snapshot = await failedJob(s, { query });
  expect(snapshot.error).toMatchObject({ code, retryable: false });
  expect(await sourceState()).toEqual(before);
  expect((await src.query('SELECT to_regclass($1) AS rel', [`${table}_copy`])).rows[0].rel).toBeNull();
});

test.each([
  ['a trailing semicolon', `SELECT * FROM ${table} ORDER BY id;\n`],
  ['a trailing line comment', `SELECT * FROM ${table} ORDER BY id -- all of it`],
])('a query that only reads, with %s, completes', async (_what, query) => {
  const result = await runExtraction(s, { query });
  expect(result.state).toBe('Completed');
  expect(result.manifest!.rows).toBe(250);
});
