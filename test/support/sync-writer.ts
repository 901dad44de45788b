// Source tables for sync tests, and a writer that makes every kind of change a stream must apply: inserts,
// updates that leave a large TOASTed value unchanged, primary-key changes, deletes, several changes to one row
// in one transaction, transactions over two tables, and a truncate with a refill.
import { execFileSync } from 'node:child_process';
import type { Client as PgClient } from 'pg';

/** Tables `main` (integer key: key ranges), `coded` (text key: block ranges) and `refill` in a schema of their own. */
export async function createSyncTables(src: PgClient, schema: string, rows: number): Promise<void> {
  await src.query(`CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.main (id bigint PRIMARY KEY, n int NOT NULL, big text, at timestamptz(6));
    CREATE TABLE ${schema}.coded (code text PRIMARY KEY, amount numeric(12,2), tags text[]);
    CREATE TABLE ${schema}.refill (id int PRIMARY KEY, v text);
    INSERT INTO ${schema}.main SELECT g, g, CASE WHEN g % 10 = 0 THEN (SELECT string_agg(md5(g::text || x::text), '') FROM generate_series(1, 200) x) END,
      timestamptz '2025-01-01 00:00:00.123456+00' + g * interval '1 second' FROM generate_series(1, ${rows}) g;
    INSERT INTO ${schema}.coded SELECT 'c' || g, g / 7.0, ARRAY['a' || g, NULL] FROM generate_series(1, ${Math.ceil(rows * 2 / 3)}) g;
    INSERT INTO ${schema}.refill SELECT g, 'v' || g FROM generate_series(1, 100) g;
    ANALYZE ${schema}.main; ANALYZE ${schema}.coded;`);
}

/** One writer transaction, chosen by i (keys stay within the first `rows` ids of main). */
export async function writeChange(src: PgClient, schema: string, rows: number, i: number): Promise<void> {
  const id = 1 + ((i * 37) % rows);
  const codes = Math.ceil(rows * 2 / 3);
  const statements = [
    `INSERT INTO ${schema}.main VALUES (${rows * 10 + i}, ${i}, repeat(md5('${i}'), 100), now())`,
    `UPDATE ${schema}.main SET n = n + 1 WHERE id = ${id - (id % 10)}`, // a TOASTed big left unchanged
    `UPDATE ${schema}.main SET id = id + ${rows * 100} WHERE id = ${id}`, // a primary-key change
    `DELETE FROM ${schema}.main WHERE id = ${1 + ((i * 53) % rows)}`,
    `UPDATE ${schema}.coded SET amount = amount + 1, tags = tags || '${i}'::text WHERE code = 'c${1 + (i % codes)}'`,
    `INSERT INTO ${schema}.coded VALUES ('new${i}', ${i}.5, NULL)`,
  ];
  await src.query('BEGIN');
  try {
    await src.query(statements[i % statements.length]);
    if (i % 5 === 0) {
      await src.query(`INSERT INTO ${schema}.main VALUES (${rows * 20 + i}, 0, NULL, NULL)`);
      await src.query(`UPDATE ${schema}.main SET n = 1 WHERE id = ${rows * 20 + i}`);
      await src.query(`UPDATE ${schema}.main SET n = 2, big = 'x' WHERE id = ${rows * 20 + i}`);
      await src.query(`UPDATE ${schema}.coded SET code = 'moved${i}' WHERE code = 'c${1 + ((i * 7) % codes)}'`);
    }
    if (i % 40 === 0) {
      await src.query(`TRUNCATE ${schema}.refill`);
      await src.query(`INSERT INTO ${schema}.refill SELECT g, 'v${i}-' || g FROM generate_series(1, 50) g`);
    }
    await src.query('COMMIT');
  } catch (err) {
    await src.query('ROLLBACK');
    throw err;
  }
}

/** Writes until stopped; resolves to the number of transactions written. */
export function startWriter(src: PgClient, schema: string, rows: number): { stop(): Promise<number> } {
  let writing = true;
  let writes = 0;
  const done = (async () => {
    while (writing) await writeChange(src, schema, rows, writes++);
    return writes;
  })();
  return {
    stop: async () => {
      writing = false;
      return done;
    },
  };
}

export const SYNC_TABLES = [['main', 'id'], ['coded', 'code'], ['refill', 'id']] as const;

/** A table's rows in key order, as COPY text: equal dumps are equal tables, row by row and value by value. */
export const dumpTable = (url: string, schema: string, table: string, key: string) =>
  execFileSync('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY (SELECT * FROM ${schema}.${table} ORDER BY ${key}) TO STDOUT`], { maxBuffer: 1 << 28 }).toString();

/** An LSN after every change made so far: a message written now (what a caught-up stream must pass). */
export async function sourceMarker(src: PgClient): Promise<string> {
  return (await src.query<{ lsn: string }>(`SELECT pg_logical_emit_message(true, 'test', 'marker')::text AS lsn`)).rows[0].lsn;
}
