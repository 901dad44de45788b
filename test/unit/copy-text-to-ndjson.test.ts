// CopyTextToNdjson undoes COPY's text-format escaping of row_to_json() output, giving one JSON document per line,
// whatever the chunking of the COPY stream.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyTextToNdjson } from '../../connectors/postgres/copy-text-to-ndjson';

// Pipes the chunks through a fresh transform and returns everything it produced.
async function run(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), new CopyTextToNdjson(), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}

const cutAt = (text: Buffer, ...offsets: number[]): Buffer[] =>
  [0, ...offsets, text.length]
    .map((start, i, all) => text.subarray(start, all[i + 1]))
    .slice(0, -1)
    .filter((c) => c.length > 0);

// What COPY ... TO STDOUT (text format) makes of one column value per row.
const copyText = (values: string[]): Buffer =>
  Buffer.from(values.map((v) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '\n').join(''));

describe('escapes', () => {
  test.each([
    ['plain text', 'abc', 'abc'],
    ['backslash', 'a\\\\b', 'a\\b'],
    ['double backslash', '\\\\\\\\', '\\\\'],
    ['newline', 'a\\nb', 'a b'],
    ['carriage return', 'a\\rb', 'a b'],
    ['tab', 'a\\tb', 'a b'],
    ['backspace', '\\b', '\b'],
    ['form feed', '\\f', '\f'],
    ['vertical tab', '\\v', '\v'],
    ['any other escaped byte', '\\x\\"', 'x"'],
    ['escaped backslash before n', '\\\\n', '\\n'],
    ['row terminator kept', '{}\n{}\n', '{}\n{}\n'],
  ])('%s: %j → %j', async (_name, input, output) => {
    expect((await run([Buffer.from(input)])).toString()).toBe(output);
  });
});

describe('row_to_json output', () => {
  // Rows as PostgreSQL's row_to_json() writes them: escapes inside strings, and raw whitespace between tokens
  // where a json column's value keeps its own formatting.
  const rows = [
    '{"id":1,"path":"C:\\\\temp\\\\new","note":"line1\\nline2\\ttab"}',
    '{"id":2,"doc":{\n\t"k": "v",\r\n\t"q": "say \\"hi\\""\n}}',
    '{"id":3,"name":"ünïcödé ✓","empty":"","backslash_n":"\\\\n"}',
    '{"id":4,"nothing":null}',
  ];
  const input = copyText(rows);
  const expected = rows.map((r) => r.replace(/[\n\r\t]/g, ' ') + '\n').join('');

  it('gives one JSON document per line with every value unchanged', async () => {
    const output = (await run([input])).toString();
    expect(output).toBe(expected);
    const lines = output.split('\n').slice(0, -1);
    expect(lines.map((l) => JSON.parse(l))).toEqual(rows.map((r) => JSON.parse(r)));
  });

  it('gives the same output when the input is split in two at any byte', async () => {
    const wrong: number[] = [];
    for (let at = 0; at <= input.length; at++) {
      if ((await run(cutAt(input, at))).toString() !== expected) wrong.push(at);
    }
    expect(wrong).toEqual([]);
  });

  it('gives the same output when split right after every backslash', async () => {
    const afterBackslash = [...input.keys()].filter((i) => input[i] === 0x5c).map((i) => i + 1);
    expect(afterBackslash.length).toBeGreaterThan(10);
    expect((await run(cutAt(input, ...afterBackslash))).toString()).toBe(expected);
  });

  it('gives the same output when fed one byte at a time', async () => {
    expect((await run(Array.from(input, (b) => Buffer.from([b])))).toString()).toBe(expected);
  });

  test.each([
    ['a lone backslash chunk', ['a', '\\', 'nb\n'], 'a b\n'],
    ['an escaped backslash split in two', ['a\\', '\\b\n'], 'a\\b\n'],
    ['two escapes split back to back', ['\\', '\\\\', 'n\n'], '\\ \n'],
  ])('%s', async (_name, chunks, output) => {
    expect((await run(chunks.map((c) => Buffer.from(c)))).toString()).toBe(output);
  });
});
