// CopyRows reads COPY TO as whole rows from the protocol's framing: the bytes are exactly what PostgreSQL's COPY
// writes (pg-copy-streams' byte stream of the same statement is the oracle), every chunk holds whole rows whose
// ends it lists, and the rows counted are COPY's own count, for rows far larger than a socket read too. An error
// in the middle of a COPY fails the stream with PostgreSQL's error and leaves the connection usable.
import { Pool } from 'pg';
import type { RowChunk } from '../../connectors/postgres/copy-rows';
import { ReadSession } from '../../connectors/postgres/read-session';
import { stackInfo } from '../support/stack';

let pool: Pool;
beforeAll(() => {
  pool = new Pool({ connectionString: stackInfo().sourceUrl, max: 1 });
});
afterAll(() => pool.end());

const SETTINGS = { timeZone: 'UTC', statementTimeoutMs: 0 };

async function bytesOf(text: string): Promise<Buffer> {
  const session = await ReadSession.open(pool, SETTINGS);
  const { stream } = await session.copy({ text, values: [] });
  const out: Buffer[] = [];
  for await (const chunk of stream) out.push(chunk as Buffer);
  await session.commit();
  return Buffer.concat(out);
}

async function rowsOf(text: string): Promise<{ chunks: RowChunk[]; rowCount: number }> {
  const session = await ReadSession.open(pool, SETTINGS);
  const copy = await session.copyRows({ text, values: [] });
  const chunks: RowChunk[] = [];
  for await (const chunk of copy) chunks.push({ ...chunk, data: Buffer.from(chunk.data) });
  await session.commit();
  return { chunks, rowCount: copy.rowCount };
}

test.each([
  ['small rows, CSV with a header', "COPY (SELECT g, 'row ' || g, CASE WHEN g % 9 = 0 THEN E'a\\nb,\"c\"' END FROM generate_series(1, 50000) g) TO STDOUT (FORMAT csv, HEADER)", 50001],
  ['rows of 3 MB among small ones, text format', "COPY (SELECT g, repeat(md5(g::text), CASE WHEN g % 5 = 0 THEN 100000 ELSE 1 END) FROM generate_series(1, 20) g) TO STDOUT", 20],
  ['no rows', 'COPY (SELECT 1 WHERE false) TO STDOUT (FORMAT csv)', 0],
])('%s: the same bytes as COPY writes, cut at row ends', async (_name, text, messages) => {
  const expected = await bytesOf(text);
  const { chunks, rowCount } = await rowsOf(text);
  expect(Buffer.concat(chunks.map((c) => c.data)).equals(expected)).toBe(true);
  expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(messages);
  expect(rowCount).toBe(text.includes('HEADER') ? messages - 1 : messages);
  for (const c of chunks) {
    expect(c.ends).toHaveLength(c.rows);
    expect(c.ends[c.rows - 1]).toBe(c.data.length);
    for (const end of c.ends) expect(c.data[end - 1]).toBe(0x0a); // every row ends with its newline
  }
});

test('an error in the middle of a COPY fails the stream with PostgreSQL\'s error; the connection stays usable', async () => {
  const session = await ReadSession.open(pool, SETTINGS);
  const copy = await session.copyRows({ text: 'COPY (SELECT 1 / (50000 - g) FROM generate_series(1, 60000) g) TO STDOUT', values: [] });
  let rows = 0;
  await expect((async () => {
    for await (const chunk of copy) rows += chunk.rows;
  })()).rejects.toMatchObject({ code: '22012' });
  expect(rows).toBeLessThan(50000);
  await session.client.query('ROLLBACK');
  expect((await session.client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  session.close();
});
