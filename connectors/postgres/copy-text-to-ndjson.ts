// COPY's text format escapes backslashes and control characters in the single row_to_json() column. Undo it.
// Raw newline, CR and tab can only be whitespace between JSON tokens (PostgreSQL's json rejects them inside
// strings), so they become spaces: every row stays one NDJSON line and no value changes.
import { Transform, TransformCallback } from 'node:stream';

const BACKSLASH = 0x5c;
const UNESCAPED: Record<number, Buffer> = {
  0x5c: Buffer.from('\\'),
  0x6e: Buffer.from(' '), // \n
  0x72: Buffer.from(' '), // \r
  0x74: Buffer.from(' '), // \t
  0x62: Buffer.from('\b'),
  0x66: Buffer.from('\f'),
  0x76: Buffer.from('\v'),
};

const unescape = (byte: number): Buffer => UNESCAPED[byte] ?? Buffer.from([byte]);

export class CopyTextToNdjson extends Transform {
  private pendingBackslash = false;

  _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const out: Buffer[] = [];
    let start = 0;
    if (this.pendingBackslash && chunk.length) {
      out.push(unescape(chunk[0]));
      start = 1;
      this.pendingBackslash = false;
    }
    for (let i = chunk.indexOf(BACKSLASH, start); i !== -1; i = chunk.indexOf(BACKSLASH, start)) {
      out.push(chunk.subarray(start, i));
      if (i + 1 === chunk.length) {
        this.pendingBackslash = true;
        start = chunk.length;
        break;
      }
      out.push(unescape(chunk[i + 1]));
      start = i + 2;
    }
    if (start < chunk.length) out.push(chunk.subarray(start));
    done(null, out.length === 1 ? out[0] : Buffer.concat(out));
  }
}
