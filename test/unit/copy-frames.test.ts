// CopyFrames cuts a COPY's protocol bytes into rows, copied into batch buffers that are used again once released:
// the rows come whole and in order however the bytes are split, a chunk's bytes stay as they were until it is
// released (whatever is parsed after it), released buffers do hold later rows, and what follows the COPY's data
// is handed back exactly.
import { BATCH_BYTES, CopyFrames, type CopyEnd, type RowChunk } from '../../connectors/postgres/copy-frames';
import { message, rowsOf } from '../support/copy-protocol';

const AFTER = Buffer.concat([message('C', Buffer.from('COPY 3\0')), message('Z', Buffer.from('I'))]);

function protocol(rows: Buffer[], ending = message('c', Buffer.alloc(0))): Buffer {
  const parts = [message('H', Buffer.from([0, 0, 0]))];
  rows.forEach((row, i) => {
    parts.push(message('d', row));
    if (i === 1) parts.push(message('N', Buffer.from('a notice between rows\0')));
  });
  return Buffer.concat([...parts, ending, AFTER]);
}

// Feeds `bytes` in pieces of the given sizes (cycled) from one scratch buffer that is overwritten after each
// piece, as a socket's reused read buffer is; `keep(i)` says whether chunk i is held (not released) to the end.
function feed(bytes: Buffer, sizes: number[], keep: (i: number) => boolean) {
  const held: { chunk: RowChunk; copy: Buffer }[] = [];
  const seen: Buffer[] = [];
  let chunks = 0;
  const frames = new CopyFrames((chunk) => {
    seen.push(Buffer.from(chunk.data));
    expect(chunk.ends.every((end) => chunk.data[end - 1] === 0x0a)).toBe(true);
    expect(chunk.ends[chunk.rows - 1]).toBe(chunk.data.length);
    if (keep(chunks++)) held.push({ chunk, copy: Buffer.from(chunk.data) });
    else chunk.release();
  });
  const scratch = Buffer.alloc(Math.max(...sizes));
  let end: CopyEnd | null = null;
  let at = 0;
  for (let i = 0; at < bytes.length && !end; i++) {
    const piece = bytes.subarray(at, at + sizes[i % sizes.length]);
    piece.copy(scratch);
    end = frames.take(scratch.subarray(0, piece.length));
    scratch.fill(0x21);
    at += piece.length;
  }
  // pg gets the rest of the piece that ended the COPY's data, then reads the socket itself.
  const toPg = end && { done: end.done, rest: Buffer.concat([end.rest, bytes.subarray(at)]) };
  return { end: toPg, seen: Buffer.concat(seen), held };
}

test.each([
  ['pieces of one byte', rowsOf(30, () => 3), [1]],
  ['pieces splitting headers at every offset', rowsOf(400, (i) => i % 7), [2, 3, 4, 5, 6, 7]],
  ['pieces of a socket read', rowsOf(20000, (i) => i % 90), [65536]],
  ['rows larger than a batch among small ones', rowsOf(9, (i) => (i % 4 === 1 ? 3 * BATCH_BYTES : 40)), [65536, 17]],
  ['one piece', rowsOf(5000, () => 20), [1 << 24]],
])('%s: the rows whole and in order; what follows CopyDone back as it came', (_name, rows, sizes) => {
  const { end, seen } = feed(protocol(rows), sizes, () => false);
  expect(seen.equals(Buffer.concat(rows))).toBe(true);
  expect(end).toEqual({ done: true, rest: AFTER });
});

test('a chunk held is never written to, while released buffers hold the rows after it', () => {
  const rows = rowsOf(40000, (i) => i % 60);
  const { seen, held } = feed(protocol(rows), [65536, 1000, 3], (i) => i % 3 === 0);
  expect(seen.equals(Buffer.concat(rows))).toBe(true);
  expect(held.length).toBeGreaterThan(2);
  for (const { chunk, copy } of held) expect(chunk.data.equals(copy)).toBe(true);
});

test('released batches are used again', () => {
  const buffers = new Set<ArrayBufferLike>();
  let chunks = 0;
  const frames = new CopyFrames((chunk) => {
    chunks++;
    buffers.add(chunk.data.buffer);
    chunk.release();
  });
  frames.take(protocol(rowsOf(50000, () => 50)));
  expect(chunks).toBeGreaterThan(20);
  expect(buffers.size).toBeLessThan(4);
});

test('an error in the middle: the rows before it, then everything from the ErrorResponse on for pg', () => {
  const rows = rowsOf(300, () => 10);
  const error = message('E', Buffer.from('SERROR\0C22012\0Mdivision by zero\0\0'));
  const { end, seen } = feed(protocol(rows, error), [100, 7], () => false);
  expect(seen.equals(Buffer.concat(rows))).toBe(true);
  expect(end).toEqual({ done: false, rest: Buffer.concat([error, AFTER]) });
});
