// Finds row ends in a stream of CSV or NDJSON bytes without parsing values: a row ends at a newline that is
// not inside a quoted CSV field. PostgreSQL's CSV escapes a quote by doubling it, so toggling on every quote
// byte tracks "inside a quoted field" exactly.
const NL = 0x0a;
const QUOTE = 0x22;

export class RowScanner {
  private inQuotes = false;
  /**
   * Where the last row counted by the latest scan began: its `from` when that row began there or earlier (in a
   * previous chunk).
   */
  lastStart = 0;
  constructor(private readonly quoteAware: boolean) {}

  /** Counts row ends in chunk[from..], stopping after `maxRows`; returns the count and the offset after the last one counted. */
  scan(chunk: Buffer, from = 0, maxRows = Infinity): { rows: number; end: number } {
    let rows = 0;
    let end = from;
    let lastStart = from;
    let pos = from;
    // The next quote at or after `pos` (-1: none left in this chunk). Kept between rows, so rare quotes are
    // searched for once, not once per row.
    let quote = this.quoteAware ? chunk.indexOf(QUOTE, pos) : -1;
    while (rows < maxRows && pos < chunk.length) {
      if (this.inQuotes) {
        if (quote < 0) break;
        this.inQuotes = false;
        pos = quote + 1;
        quote = chunk.indexOf(QUOTE, pos);
        continue;
      }
      const nl = chunk.indexOf(NL, pos);
      if (quote >= 0 && (nl < 0 || quote < nl)) {
        this.inQuotes = true;
        pos = quote + 1;
        quote = chunk.indexOf(QUOTE, pos);
        continue;
      }
      if (nl < 0) break;
      rows++;
      lastStart = end;
      pos = end = nl + 1;
    }
    this.lastStart = lastStart;
    return { rows, end };
  }
}
