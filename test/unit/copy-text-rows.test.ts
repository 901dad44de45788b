// COPY's text format split into rows of fields, with escapes undone, whatever the chunk boundaries.
import { CopyTextRows, type CopyField } from '../../connectors/postgres/copy-text-rows';

const show = (rows: CopyField[][]) => rows.map((r) => r.map((f) => (f === null ? null : f.toString('utf8'))));

function split(chunks: Buffer[]): (string | null)[][] {
  const parser = new CopyTextRows();
  const rows = chunks.flatMap((c) => [...parser.rows(c)]);
  parser.end();
  return show(rows);
}

// What PostgreSQL writes for the rows below, byte for byte: \N is NULL, a backslash escapes control characters,
// the backslash itself and so a value that reads "\N".
const COPY = Buffer.from([
  '1\tplain\t\\N\t\n',
  '2\ttab\\there\tline\\nbreak\\r\\n\tback\\\\slash\n',
  '3\t\\\\N\tctl \\b\\f\\v \x01\t😀 漢字\n',
  '\\N\n',
].join(''));

const ROWS = [
  ['1', 'plain', null, ''],
  ['2', 'tab\there', 'line\nbreak\r\n', 'back\\slash'],
  ['3', '\\N', 'ctl \b\f\v \x01', '😀 漢字'],
  [null],
];

test('rows, fields, NULL and the empty string, escapes', () => {
  expect(split([COPY])).toEqual(ROWS);
});

test('the same rows whatever the chunk boundaries: inside escapes, emoji, between \\ and N', () => {
  for (let cut = 1; cut < COPY.length; cut++) {
    expect(split([COPY.subarray(0, cut), COPY.subarray(cut)])).toEqual(ROWS);
  }
  expect(split([...COPY].map((b) => Buffer.from([b])))).toEqual(ROWS);
});

test('an empty chunk yields nothing and keeps an unfinished row', () => {
  const parser = new CopyTextRows();
  expect(show([...parser.rows(Buffer.from('a\tb'))])).toEqual([]);
  expect(show([...parser.rows(Buffer.alloc(0))])).toEqual([]);
  expect(show([...parser.rows(Buffer.from('c\n'))])).toEqual([['a', 'bc']]);
});

test('a stream that ends inside a row is an error', () => {
  const parser = new CopyTextRows();
  [...parser.rows(Buffer.from('1\tcomplete\n2\tcut'))];
  expect(() => parser.end()).toThrow('COPY output ended inside a row');
});

test('fields that are not escaped are views of the chunk, not copies', () => {
  const chunk = Buffer.alloc(8, 'abc\tdef\n'); // not from the shared pool
  const [[first]] = [...new CopyTextRows().rows(chunk)];
  expect(first!.buffer).toBe(chunk.buffer);
});
