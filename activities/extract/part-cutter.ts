// Cuts a COPY's rows into part files of at most `partRows` rows (a key range is one part: partRows Infinity).
// Rows come whole and counted (copy-rows.ts), so no byte is looked at: a part ends where a chunk's row ends.
// CSV's header line starts every part and is no row of the selection. A resumed stream first checks the row
// before its resume point against the SHA-256 it kept (the seam, see stream.ts).
import { createHash } from 'node:crypto';
import type { RowChunk } from '../../connectors/postgres/copy-rows';
import type { PartSink } from './part-sink';

export interface CutterOptions {
  header: boolean;
  partRows: number;
  /** SHA-256 the first row read must have, or null to take every row. */
  seam: string | null;
  open(header: Buffer): Promise<PartSink>;
  /** The part is full (or the rows ended); `lastRowSha256` of its last row. */
  close(sink: PartSink, lastRowSha256: string | null): Promise<void>;
}

const EMPTY = Buffer.alloc(0);
export const sha256 = (row: Buffer) => createHash('sha256').update(row).digest('hex');

export class PartCutter {
  /** The part being written, if any. */
  sink: PartSink | undefined;
  header: Buffer | null;
  private lastRow: Buffer | null = null;
  private seamPending: boolean;

  constructor(private readonly o: CutterOptions) {
    this.header = o.header ? null : EMPTY;
    this.seamPending = o.seam !== null;
  }

  /** Reads every row; 'seam-moved' when the first row is not the seam (the rows before the resume point changed). */
  async read(rows: AsyncIterable<RowChunk>): Promise<'done' | 'seam-moved'> {
    for await (const chunk of rows) {
      const { data, ends } = chunk;
      const start = (row: number) => (row ? ends[row - 1] : 0);
      // The chunk goes back once every part it was written to is done with it, and so is this loop.
      let holds = 1;
      const letGo = () => {
        if (--holds === 0) chunk.release();
      };
      let row = 0;
      if (this.header === null) this.header = Buffer.from(data.subarray(0, ends[row++]));
      if (this.seamPending && row < chunk.rows) {
        if (sha256(data.subarray(start(row), ends[row])) !== this.o.seam) return 'seam-moved';
        this.seamPending = false;
        row++;
      }
      while (row < chunk.rows) {
        this.sink ??= await this.o.open(this.header);
        const take = Math.min(chunk.rows - row, this.o.partRows - this.sink.rows);
        holds++;
        await this.sink.write(data.subarray(start(row), ends[row + take - 1]), letGo);
        this.sink.rows += take;
        row += take;
        this.lastRow = Buffer.from(data.subarray(start(row - 1), ends[row - 1])); // a copy: the chunk's buffer is reused
        if (this.sink.rows === this.o.partRows) await this.closePart();
      }
      letGo();
    }
    return this.seamPending ? 'seam-moved' : 'done'; // still pending: the selection now ends before the rows already read
  }

  /** Closes the part being written; with `always`, writes an empty one (only the header) when none is open. */
  async closePart(always = false): Promise<void> {
    if (!this.sink && !always) return;
    const sink = this.sink ?? (await this.o.open(this.header ?? EMPTY));
    this.sink = undefined;
    await this.o.close(sink, this.lastRow ? sha256(this.lastRow) : null);
  }
}
