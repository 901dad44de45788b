// RowScanner finds row ends in COPY output however it is chunked: a newline ends a row unless it is inside a quoted
// CSV field. Property-style: a fixed text is cut at every byte and the counts must not change.
import { RowScanner } from '../../connectors/postgres/row-scanner';

// PostgreSQL CSV rows (each ends with its newline): quoted fields with commas, newlines and doubled quotes.
const CSV_ROWS = [
  'id,name,note\n',
  '1,plain,hello\n',
  '2,"with, comma","line1\nline2"\n',
  '3,"say ""hi""","""quoted"" start"\n',
  '4,"",""\n',
  '5,"multi\n\nlines\n","x"\n',
  '6,"""",end\n',
  '7,"ünïcödé ✓","\n"\n',
  '8,,\n',
];
const CSV = Buffer.from(CSV_ROWS.join(''));

// NDJSON rows: quotes are JSON's, never CSV quoting, and may look unbalanced to a CSV reader.
const NDJSON_ROWS = ['{"a":"x\\"y"}\n', '{"b":"\\""}\n', '{"c":"\\"\\"\\""}\n', '{"d":1}\n'];
const NDJSON = Buffer.from(NDJSON_ROWS.join(''));

// Offsets just after each row end.
const rowEnds = (rows: string[]) => rows.map((_, i) => Buffer.byteLength(rows.slice(0, i + 1).join('')));

const countRows = (quoteAware: boolean, chunks: Buffer[]): number => {
  const scanner = new RowScanner(quoteAware);
  return chunks.reduce((n, c) => n + scanner.scan(c).rows, 0);
};

// Splits `text` into chunks at the given offsets.
const cut = (text: Buffer, offsets: number[]): Buffer[] =>
  [0, ...offsets, text.length].slice(1).map((end, i, ends) => text.subarray(i === 0 ? 0 : ends[i - 1], end));

describe.each([
  ['CSV', true, CSV, CSV_ROWS],
  ['NDJSON', false, NDJSON, NDJSON_ROWS],
])('%s', (_name, quoteAware, text, rows) => {
  it('counts every row in one chunk', () => {
    expect(new RowScanner(quoteAware).scan(text)).toEqual({ rows: rows.length, end: text.length });
  });

  it('counts every row when the text is split in two at any byte', () => {
    const wrong = [];
    for (let at = 0; at <= text.length; at++) {
      const n = countRows(quoteAware, cut(text, [at]));
      if (n !== rows.length) wrong.push({ at, rows: n });
    }
    expect(wrong).toEqual([]);
  });

  it('counts every row when the text is split in three at any two bytes', () => {
    const wrong = [];
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b++) {
        const n = countRows(quoteAware, cut(text, [a, b]));
        if (n !== rows.length) wrong.push({ a, b, rows: n });
      }
    }
    expect(wrong).toEqual([]);
  });

  it('counts every row when fed one byte at a time', () => {
    expect(countRows(quoteAware, Array.from(text, (byte) => Buffer.from([byte])))).toBe(rows.length);
  });

  it('with maxRows 1, stops at each row end in turn', () => {
    const scanner = new RowScanner(quoteAware);
    const ends: number[] = [];
    for (let from = 0; from < text.length; ) {
      const { rows: n, end } = scanner.scan(text, from, 1);
      expect(n).toBe(1);
      ends.push(end);
      from = end;
    }
    expect(ends).toEqual(rowEnds(rows));
  });

  // How the single-stream extraction cuts part files: at most `perPart` rows each, across arbitrary chunks.
  it.each([1, 2, 4, 100])('cuts parts of %d rows at row boundaries, whatever the chunking', (perPart) => {
    const expected: string[] = [];
    for (let i = 0; i < rows.length; i += perPart) expected.push(rows.slice(i, i + perPart).join(''));
    for (let at = 0; at <= text.length; at++) {
      const scanner = new RowScanner(quoteAware);
      const parts: Buffer[][] = [[]];
      let inPart = 0;
      for (const chunk of cut(text, [at])) {
        for (let pos = 0; pos < chunk.length; ) {
          const { rows: n, end } = scanner.scan(chunk, pos, perPart - inPart);
          const upTo = n === perPart - inPart ? end : chunk.length;
          parts[parts.length - 1].push(chunk.subarray(pos, upTo));
          inPart += n;
          pos = upTo;
          if (inPart === perPart) {
            parts.push([]);
            inPart = 0;
          }
        }
      }
      const files = parts.map((p) => Buffer.concat(p).toString()).filter((p) => p.length > 0);
      expect({ at, files }).toEqual({ at, files: expected });
    }
  });
});

describe('scan results', () => {
  test.each([
    // text, from, maxRows, result
    ['a\nb\nc\n', 0, Infinity, { rows: 3, end: 6 }],
    ['a\nb\nc\n', 0, 2, { rows: 2, end: 4 }],
    ['a\nb\nc\n', 2, 1, { rows: 1, end: 4 }],
    ['a\nb\nc\n', 0, 0, { rows: 0, end: 0 }],
    ['a\nb\nc', 0, Infinity, { rows: 2, end: 4 }], // an unfinished row is not counted
    ['abc', 0, Infinity, { rows: 0, end: 0 }],
    ['abc', 2, Infinity, { rows: 0, end: 2 }], // no row: end stays at `from`
    ['', 0, Infinity, { rows: 0, end: 0 }],
    ['"a\nb"\n', 0, Infinity, { rows: 1, end: 6 }],
    ['"a\n', 0, Infinity, { rows: 0, end: 0 }], // still inside the quoted field
  ])('scan(%j, %d, %d) = %j', (text, from, maxRows, result) => {
    expect(new RowScanner(true).scan(Buffer.from(text), from, maxRows)).toEqual(result);
  });

  it('remembers an open quote across chunks', () => {
    const scanner = new RowScanner(true);
    expect(scanner.scan(Buffer.from('1,"a\n')).rows).toBe(0);
    expect(scanner.scan(Buffer.from('b\nc"\n2,x\n')).rows).toBe(2);
  });

  it('NDJSON mode ignores quotes entirely', () => {
    expect(new RowScanner(false).scan(Buffer.from('{"a":"\\""}\n"\n"\n'))).toEqual({ rows: 3, end: 15 });
    expect(new RowScanner(true).scan(Buffer.from('{"a":"\\""}\n"\n"\n')).rows).toBe(1); // what CSV mode would do
  });
});
