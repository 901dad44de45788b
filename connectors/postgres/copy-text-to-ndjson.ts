// COPY's text format escapes backslashes and control characters in the single row_to_json() column. Undo it.
// Raw newline, CR and tab can only be whitespace between JSON tokens (PostgreSQL's json rejects them inside
// strings), so they become spaces: every row stays one NDJSON line and no value changes.
import type { RowChunk } from './copy-rows';

const BACKSLASH = 0x5c;
const NL = 0x0a;
const UNESCAPED: Record<number, number> = { 0x6e: 0x20, 0x72: 0x20, 0x74: 0x20, 0x62: 0x08, 0x66: 0x0c, 0x76: 0x0b }; // \n \r \t → space

/** The same rows as NDJSON lines. Rows are whole, so an escape never spans two chunks. */
export function copyTextToNdjson(chunk: RowChunk): RowChunk {
  const { data } = chunk;
  let i = data.indexOf(BACKSLASH);
  if (i < 0) return chunk;
  let out = i;
  const ends = new Uint32Array(chunk.rows);
  let row = 0;
  for (let r = 0; r < chunk.rows && chunk.ends[r] <= i; r++) ends[row++] = chunk.ends[r];
  for (; i < data.length; i++) {
    let byte = data[i];
    if (byte === BACKSLASH) byte = UNESCAPED[data[++i]] ?? data[i];
    else if (byte === NL) ends[row++] = out + 1;
    data[out++] = byte;
  }
  return { ...chunk, data: data.subarray(0, out), ends }; // in the same buffer: released with it
}
