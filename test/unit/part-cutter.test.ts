// PartCutter cuts whole rows into parts of at most partRows rows, whatever chunks they come in: every part starts
// with CSV's header, no row is split, lost or repeated, and a resumed read checks its seam row first.
import type { RowChunk } from '../../connectors/postgres/copy-rows';
import { PartCutter, sha256 } from '../../activities/extract/part-cutter';
import type { PartSink } from '../../activities/extract/part-sink';

const HEADER = 'id,note\n';
// Rows of different lengths, one with a newline inside a quoted field (a row is a message, not a line).
const ROWS = Array.from({ length: 23 }, (_, i) => (i === 5 ? `${i},"two\nlines"\n` : `${i},${'x'.repeat(i % 4)}\n`));

// The rows (with the header first, when given) as chunks of `perChunk` rows.
async function* chunks(rows: string[], perChunk: number): AsyncIterable<RowChunk> {
  for (let first = 0; first < rows.length; first += perChunk) {
    const group = rows.slice(first, first + perChunk).map((r) => Buffer.from(r));
    let at = 0;
    const ends = Uint32Array.from(group, (r) => (at += r.length));
    yield { data: Buffer.concat(group), rows: group.length, ends, release: () => undefined };
  }
}

interface Written {
  text: string;
  rows: number;
  lastRowSha256: string | null;
}

function cutter(o: { header: boolean; partRows: number; seam?: string | null }) {
  const parts: Written[] = [];
  const c = new PartCutter({
    header: o.header, partRows: o.partRows, seam: o.seam ?? null,
    open: async (header) => {
      const bytes: Buffer[] = [header];
      return { rows: 0, write: async (b: Buffer) => void bytes.push(Buffer.from(b)), bytes } as unknown as PartSink;
    },
    close: async (sink, lastRowSha256) => {
      parts.push({ text: Buffer.concat((sink as unknown as { bytes: Buffer[] }).bytes).toString(), rows: sink.rows, lastRowSha256 });
    },
  });
  return { c, parts };
}

describe('cutting rows into parts', () => {
  test.each([
    [1, 5], [2, 5], [7, 5], [100, 5], [3, 1], [5, 23], [4, 100], [23, Infinity], [1, Infinity],
  ])('%i rows per chunk, parts of %s rows', async (perChunk, partRows) => {
    const { c, parts } = cutter({ header: true, partRows });
    expect(await c.read(chunks([HEADER, ...ROWS], perChunk))).toBe('done');
    await c.closePart(parts.length === 0);
    const expected = partRows === Infinity ? 1 : Math.ceil(ROWS.length / partRows);
    expect(parts).toHaveLength(expected);
    parts.forEach((p, i) => {
      const rows = ROWS.slice(i * Math.min(partRows, ROWS.length), (i + 1) * Math.min(partRows, ROWS.length));
      expect(p).toEqual({ text: HEADER + rows.join(''), rows: rows.length, lastRowSha256: sha256(Buffer.from(rows.at(-1)!)) });
    });
  });

  test('no header: parts hold only rows', async () => {
    const { c, parts } = cutter({ header: false, partRows: 10 });
    await c.read(chunks(ROWS, 4));
    await c.closePart();
    expect(parts.map((p) => p.text).join('')).toBe(ROWS.join(''));
    expect(parts.map((p) => p.rows)).toEqual([10, 10, 3]);
  });

  test('an empty selection still gives one part: the header alone', async () => {
    const { c, parts } = cutter({ header: true, partRows: 10 });
    await c.read(chunks([HEADER], 1));
    await c.closePart(true);
    expect(parts).toEqual([{ text: HEADER, rows: 0, lastRowSha256: null }]);
  });
});

describe('the seam of a resumed read', () => {
  test('the seam row is checked and left out; the rows after it are cut as usual', async () => {
    const { c, parts } = cutter({ header: true, partRows: 10, seam: sha256(Buffer.from(ROWS[9])) });
    expect(await c.read(chunks([HEADER, ...ROWS.slice(9)], 3))).toBe('done');
    await c.closePart();
    expect(parts.map((p) => p.text)).toEqual([HEADER + ROWS.slice(10, 20).join(''), HEADER + ROWS.slice(20).join('')]);
  });

  test('a different first row is a moved seam', async () => {
    const { c, parts } = cutter({ header: true, partRows: 10, seam: sha256(Buffer.from(ROWS[9])) });
    expect(await c.read(chunks([HEADER, ...ROWS.slice(8)], 3))).toBe('seam-moved');
    expect(parts).toEqual([]);
  });

  test('no rows at all after the resume point is a moved seam', async () => {
    const { c } = cutter({ header: true, partRows: 10, seam: sha256(Buffer.from(ROWS[9])) });
    expect(await c.read(chunks([HEADER], 1))).toBe('seam-moved');
  });
});

describe('giving chunks back', () => {
  test('a chunk is released once every part it was written to has consumed it, not before', async () => {
    const pending: (() => void)[] = [];
    const released: number[] = [];
    const c = new PartCutter({
      header: true, partRows: 4, seam: null,
      open: async () => ({ rows: 0, write: async (_b: Buffer, consumed?: () => void) => void (consumed && pending.push(consumed)) }) as unknown as PartSink,
      close: async () => undefined,
    });
    async function* twoChunks(): AsyncIterable<RowChunk> {
      // Six rows after the header: the first chunk ends one part and starts the next.
      for (const [i, rows] of [[0, [HEADER, ...ROWS.slice(0, 6)]], [1, ROWS.slice(6, 8)]] as const) {
        const group = rows.map((r) => Buffer.from(r));
        let at = 0;
        yield { data: Buffer.concat(group), rows: group.length, ends: Uint32Array.from(group, (r) => (at += r.length)), release: () => released.push(i) };
      }
    }
    await c.read(twoChunks());
    expect(pending).toHaveLength(3); // chunk 0 into two parts, chunk 1 into one
    expect(released).toEqual([]);
    pending[1]();
    expect(released).toEqual([]);
    pending[0]();
    expect(released).toEqual([0]);
    pending[2]();
    expect(released).toEqual([0, 1]);
  });
});
