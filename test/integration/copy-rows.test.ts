// CopyRows reads COPY TO as whole rows from the protocol's framing: the bytes are exactly what PostgreSQL's COPY
// writes (pg-copy-streams' byte stream of the same statement is the oracle), every chunk holds whole rows whose
// ends it lists, and the rows counted are COPY's own count, for rows far larger than a socket read too. An error
// in the middle of a COPY fails the stream with PostgreSQL's error and leaves the connection usable. Both ways of
// reading are run: the source pools' sockets, read from a reused buffer (copy-socket.ts), and pg's own sockets,
// read as a stream (as a TLS connection is).
import { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { RowChunk } from '../../connectors/postgres/copy-rows';
import { SourcePools } from '../../connectors/postgres/pools';
import { ReadSession } from '../../connectors/postgres/read-session';
import { stackInfo } from '../support/stack';

const pools = new SourcePools(1);
let streamPool: Pool;
beforeAll(() => {
  streamPool = new Pool({ connectionString: stackInfo().sourceUrl, max: 1 });
});
afterAll(() => Promise.all([pools.end(), streamPool.end()]));

const SETTINGS = { timeZone: 'UTC', statementTimeoutMs: 0 };

// The oracle: pg-copy-streams' bytes of the statement, on a connection of pg's own.
async function bytesOf(text: string): Promise<Buffer> {
  const client = await streamPool.connect();
  try {
    const out: Buffer[] = [];
    for await (const chunk of client.query(copyTo(text))) out.push(chunk as Buffer);
    return Buffer.concat(out);
  } finally {
    client.release();
  }
}

describe.each([
  ['a reused-buffer socket', () => pools.get(stackInfo().sourceUrl)],
  ['a stream socket', () => streamPool],
])('read from %s', (_kind, pool: () => Pool) => {
  async function rowsOf(text: string): Promise<{ chunks: RowChunk[]; rowCount: number }> {
    const session = await ReadSession.open(pool(), SETTINGS);
    const copy = await session.copyRows({ text, values: [] });
    const chunks: RowChunk[] = [];
    for await (const chunk of copy) {
      chunks.push({ ...chunk, data: Buffer.from(chunk.data) });
      chunk.release(); // its buffer holds the next rows
    }
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
    const session = await ReadSession.open(pool(), SETTINGS);
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
});
