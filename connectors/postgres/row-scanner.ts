// Finds row ends in a stream of CSV or NDJSON bytes without parsing values: a row ends at a newline that is
// not inside a quoted CSV field. PostgreSQL's CSV escapes a quote by doubling it, so toggling on every quote
// byte tracks "inside a quoted field" exactly.
const NL = 0x0a;
const QUOTE = 0x22;

export class RowScanner {
  private inQuotes = false;
  constructor(private readonly quoteAware: boolean) {}

  /** Counts row ends in chunk[from..], stopping after `maxRows`; returns the count and the offset after the last one counted. */
  scan(chunk: Buffer, from = 0, maxRows = Infinity): { rows: number; end: number } {
    let rows = 0;
    let end = from;
    let pos = from;
    while (rows < maxRows && pos < chunk.length) {
      if (this.inQuotes) {
        const q = chunk.indexOf(QUOTE, pos);
        if (q < 0) break;
        this.inQuotes = false;
        pos = q + 1;
        continue;
      }
      const nl = chunk.indexOf(NL, pos);
      const q = this.quoteAware ? chunk.indexOf(QUOTE, pos) : -1;
      if (q >= 0 && (nl < 0 || q < nl)) {
        this.inQuotes = true;
        pos = q + 1;
        continue;
      }
      if (nl < 0) break;
      rows++;
      pos = end = nl + 1;
    }
    return { rows, end };
  }
}
