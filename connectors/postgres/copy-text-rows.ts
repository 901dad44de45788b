// Splits COPY's text format into rows of fields. A row ends at a newline and a field at a tab (COPY escapes both
// inside values), a field of exactly \N is NULL, and a backslash escapes the next byte: \b \f \n \r \t \v stand
// for control characters, any other byte (the backslash itself included) for itself. Chunks may end anywhere,
// even inside an escape: the unfinished row waits for the next chunk.
const NL = 0x0a;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const N = 0x4e;
const CONTROL: Record<number, number> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x76: 0x0b };

/** A field's bytes (UTF-8 text output of its value), or null for SQL NULL. */
export type CopyField = Buffer | null;

export class CopyTextRows {
  private unfinished: Buffer[] = [];

  /** The fields of every row that ends in `chunk`, in order. */
  *rows(chunk: Buffer): Generator<CopyField[]> {
    let start = 0;
    if (this.unfinished.length) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        if (chunk.length) this.unfinished.push(chunk);
        return;
      }
      const row = Buffer.concat([...this.unfinished, chunk.subarray(0, nl)]);
      this.unfinished = [];
      start = nl + 1;
      yield fields(row);
    }
    for (let nl = chunk.indexOf(NL, start); nl >= 0; nl = chunk.indexOf(NL, start)) {
      yield fields(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.unfinished.push(chunk.subarray(start));
  }

  /** Throws when the stream ended inside a row. */
  end(): void {
    if (this.unfinished.length) throw new Error('COPY output ended inside a row');
  }
}

function fields(row: Buffer): CopyField[] {
  const out: CopyField[] = [];
  let start = 0;
  for (let tab = row.indexOf(TAB); tab >= 0; tab = row.indexOf(TAB, start)) {
    out.push(field(row.subarray(start, tab)));
    start = tab + 1;
  }
  out.push(field(row.subarray(start)));
  return out;
}

function field(raw: Buffer): CopyField {
  const backslash = raw.indexOf(BACKSLASH);
  if (backslash < 0) return raw;
  if (backslash === 0 && raw.length === 2 && raw[1] === N) return null;
  const out = Buffer.allocUnsafe(raw.length);
  raw.copy(out, 0, 0, backslash);
  let n = backslash;
  for (let i = backslash; i < raw.length; i++) {
    let byte = raw[i];
    if (byte === BACKSLASH && i + 1 < raw.length) {
      byte = raw[++i];
      byte = CONTROL[byte] ?? byte;
    }
    out[n++] = byte;
  }
  return out.subarray(0, n);
}
