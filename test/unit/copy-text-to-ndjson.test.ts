// copyTextToNdjson undoes COPY's text-format escaping of row_to_json() output, giving one JSON document per line,
// and says where each line ends, however the rows are grouped into chunks.
import type { RowChunk } from '../../connectors/postgres/copy-rows';
import { copyTextToNdjson } from '../../connectors/postgres/copy-text-to-ndjson';

// Whole rows of COPY text (a raw newline only ends a row), as chunks of `perChunk` rows.
function chunksOf(text: Buffer, perChunk = Infinity): RowChunk[] {
  const rowEnds = [...text.keys()].filter((i) => text[i] === 0x0a).map((i) => i + 1);
  if (text.length && rowEnds.at(-1) !== text.length) rowEnds.push(text.length); // a fragment without its newline
  const chunks: RowChunk[] = [];
  for (let first = 0; first < rowEnds.length; first += perChunk) {
    const ends = rowEnds.slice(first, first + perChunk);
    const start = first ? rowEnds[first - 1] : 0;
    chunks.push({ data: Buffer.from(text.subarray(start, ends.at(-1))), rows: ends.length, ends: Uint32Array.from(ends, (e) => e - start), release: () => undefined });
  }
  return chunks;
}

// Converts every chunk; checks that each chunk's `ends` are its line ends; returns all the output.
async function run(chunks: RowChunk[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    const converted = copyTextToNdjson(chunk);
    expect(converted.rows).toBe(chunk.rows);
    const lineEnds = [...converted.data.keys()].filter((i) => converted.data[i] === 0x0a).map((i) => i + 1);
    expect([...converted.ends].filter((e) => converted.data[e - 1] === 0x0a)).toEqual(lineEnds);
    out.push(converted.data);
  }
  return Buffer.concat(out);
}

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
    expect((await run(chunksOf(Buffer.from(input)))).toString()).toBe(output);
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
    const output = (await run(chunksOf(input))).toString();
    expect(output).toBe(expected);
    const lines = output.split('\n').slice(0, -1);
    expect(lines.map((l) => JSON.parse(l))).toEqual(rows.map((r) => JSON.parse(r)));
  });

  it.each([1, 2, 3])('gives the same output with %i row(s) per chunk', async (perChunk) => {
    expect((await run(chunksOf(input, perChunk))).toString()).toBe(expected);
  });
});
