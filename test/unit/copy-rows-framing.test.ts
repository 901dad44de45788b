// CopyRows cuts the COPY protocol's messages into rows however the socket splits them: inside a row, inside a
// 5-byte message header, right after one, in a row longer than its chunk, between messages other than rows. The
// socket here is a stream fed the exact bytes of a COPY, in pieces of the sizes each case gives; PostgreSQL's side
// (which bytes it sends) is covered against a real server in test/integration/copy-rows.test.ts.
import { PassThrough } from 'node:stream';
import type { Connection } from 'pg';
import { CopyRows, type RowChunk } from '../../connectors/postgres/copy-rows';
import { message, rowsOf } from '../support/copy-protocol';

// CopyOutResponse, the rows (a ParameterStatus among them), CopyDone, then what pg reads itself.
function protocol(rows: Buffer[]): { bytes: Buffer; after: Buffer } {
  const after = Buffer.concat([message('C', Buffer.from('COPY 3\0')), message('Z', Buffer.from('I'))]);
  const parts = [message('H', Buffer.from([0, 0, 0]))];
  rows.forEach((row, i) => {
    parts.push(message('d', row));
    if (i === 1) parts.push(message('S', Buffer.from('application_name\0x\0')));
  });
  parts.push(message('c', Buffer.alloc(0)), after);
  return { bytes: Buffer.concat(parts), after };
}

// Feeds `bytes` in pieces of the given sizes (cycled), each read on its own, and collects what CopyRows hands on
// and what it gives back to pg.
async function read(bytes: Buffer, sizes: number[]): Promise<{ chunks: RowChunk[]; toPg: Buffer }> {
  const socket = new PassThrough();
  const toPg: Buffer[] = [];
  socket.on('data', (b: Buffer) => toPg.push(Buffer.from(b)));
  const rows = new CopyRows('COPY t TO STDOUT');
  rows.submit({ stream: socket, query: () => undefined } as unknown as Parameters<CopyRows['submit']>[0] & Connection);
  const chunks: RowChunk[] = [];
  const reading = (async () => {
    for await (const chunk of rows) chunks.push({ ...chunk, data: Buffer.from(chunk.data) });
  })();
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    socket.write(bytes.subarray(at, at + size));
    at += size;
    await new Promise((ok) => setTimeout(ok, 2)); // past CopyRows' 1 ms gathering: one piece per read
  }
  await reading;
  return { chunks, toPg: Buffer.concat(toPg) };
}

const cases: [string, Buffer[], number[]][] = [
  ['pieces of one byte', rowsOf(6, () => 3), [1]],
  ['pieces that split message headers at every offset', rowsOf(40, (i) => i % 7), [2, 3, 4, 5, 6, 7]],
  ['a row longer than several pieces', rowsOf(5, (i) => (i === 2 ? 5000 : 10)), [700]],
  ['small pieces after large ones', rowsOf(300, (i) => i % 50), [4096, 13, 1, 900]],
  ['one piece', rowsOf(100, () => 20), [1 << 20]],
];

test.each(cases)('%s: the rows whole, in order, with their ends; the rest back to pg', async (_name, rows, sizes) => {
  const { bytes, after } = protocol(rows);
  const { chunks, toPg } = await read(bytes, sizes);
  expect(Buffer.concat(chunks.map((c) => c.data)).equals(Buffer.concat(rows))).toBe(true);
  const seen: Buffer[] = [];
  for (const c of chunks) {
    expect(c.ends).toHaveLength(c.rows);
    c.ends.forEach((end, i) => seen.push(c.data.subarray(i ? c.ends[i - 1] : 0, end)));
  }
  expect(seen.map(String)).toEqual(rows.map(String));
  expect(toPg.equals(after)).toBe(true);
});
