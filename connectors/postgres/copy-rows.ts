// `COPY … TO STDOUT` read as rows, without looking at their bytes. PostgreSQL sends every row of a COPY TO (and
// the CSV header line) as one CopyData message (copyto.c, CopySendEndOfRow), so the protocol's own framing says
// where rows end: counting them and cutting files at row boundaries costs nothing per byte. The framing is
// stripped in place (each row moved down over the 5-byte message header before it), so a socket chunk becomes
// one contiguous chunk of rows without a copy into a new buffer.
//
// Attaching to the connection follows pg-copy-streams' copy-to (which this replaces for reading): take the
// socket's data from pg while the COPY runs, and hand it back with whatever follows CopyDone (CommandComplete,
// ReadyForQuery) or from an ErrorResponse on, so pg ends the query as usual.
import { Readable } from 'node:stream';
import type { Connection } from 'pg';

/** Rows as they came: `data` holds `rows` whole rows; row i ends at `ends[i]` (exclusive). */
export interface RowChunk {
  data: Buffer;
  rows: number;
  ends: Uint32Array;
}

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'
const HEADER = 5; // type byte and int32 length
const BATCH_BYTES = 64 * 1024;

const rowChunk = (buf: Buffer, bytes: number, ends: Uint32Array, rows: number): RowChunk => ({ data: buf.subarray(0, bytes), rows, ends: ends.slice(0, rows) });

type Socket = Connection['stream'] & { read(): Buffer | null };
type DataHandler = (chunk: Buffer) => void;

export class CopyRows extends Readable {
  /** PostgreSQL's own count (from the command tag), once the COPY has ended. */
  rowCount = 0;
  private connection: (Connection & { stream: Socket }) | null = null;
  private pgHandler: DataHandler | null = null;
  private pending: Buffer[] = []; // the start of an unfinished message
  private pendingBytes = 0;
  private ends = new Uint32Array(1024); // scratch: where each row of the chunk being parsed ends
  private wanted = false;
  private forwarding = false;
  private batching: NodeJS.Timeout | null = null;
  // PostgreSQL sends 8 KiB at a time, and a reader that keeps up gets each piece as its own small chunk: per
  // chunk costs (a read, a push, a write downstream) then outweigh the bytes. Letting a millisecond's worth
  // gather first (the socket buffers to its high-water mark, the kernel the rest) makes chunks of ~64 KiB.
  private readonly onReadable = () => {
    if (this.batching || !this.connection) return;
    if (this.connection.stream.readableLength >= BATCH_BYTES) return this.forward();
    this.batching = setTimeout(() => {
      this.batching = null;
      this.forward();
    }, 1);
  };

  constructor(private readonly text: string) {
    super({ objectMode: true, highWaterMark: 4 });
  }

  // Called by pg when the query's turn comes.
  submit(connection: Connection & { stream: Socket }): void {
    this.connection = connection;
    const listeners = connection.stream.listeners('data') as DataHandler[];
    if (listeners.length !== 1) throw new Error(`expected pg's one data listener on the socket, found ${listeners.length}`);
    this.pgHandler = listeners[0];
    connection.stream.removeListener('data', this.pgHandler);
    connection.stream.pause();
    connection.stream.on('readable', this.onReadable);
    connection.query(this.text);
    this.forward();
  }

  _read(): void {
    this.wanted = true;
    this.forward();
  }

  private forward(): void {
    if (this.forwarding || !this.wanted || !this.connection) return;
    this.forwarding = true;
    let chunk: Buffer | null;
    while (this.wanted && this.connection && (chunk = this.connection.stream.read()) !== null) this.parse(chunk);
    this.forwarding = false;
  }

  private parse(chunk: Buffer): void {
    let buf = chunk;
    if (this.pendingBytes) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.pendingNeeds()) return; // still unfinished
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    if (this.ends.length < buf.length / (HEADER + 1)) this.ends = new Uint32Array(Math.ceil(buf.length / (HEADER + 1)));
    const ends = this.ends;
    let rows = 0;
    let out = 0; // rows are moved down to buf[0, out)
    let pos = 0;
    while (pos + HEADER <= buf.length) {
      const type = buf[pos];
      const end = pos + 1 + buf.readUInt32BE(pos + 1);
      if (type === ERROR_RESPONSE) return this.finish(rows, ends, buf, out, buf.subarray(pos), false);
      if (end > buf.length) break;
      if (type === COPY_DATA) {
        buf.copyWithin(out, pos + HEADER, end);
        out += end - pos - HEADER;
        ends[rows++] = out;
      } else if (type === COPY_DONE) {
        return this.finish(rows, ends, buf, out, buf.subarray(end), true);
      } // CopyOutResponse, and the ParameterStatus, Notice and Notification messages that may come between rows
      pos = end;
    }
    if (pos < buf.length) {
      // Copied: the rows before it are handed on in this same buffer, which the consumer may keep.
      const rest = Buffer.from(buf.subarray(pos));
      this.pending = [rest];
      this.pendingBytes = rest.length;
    }
    if (rows) this.wanted = this.push(rowChunk(buf, out, ends, rows));
  }

  // Bytes the unfinished message takes in all: known once its 5-byte header is in.
  private pendingNeeds(): number {
    const head = this.pending[0].length >= HEADER ? this.pending[0] : Buffer.concat(this.pending);
    return head.length >= HEADER ? 1 + head.readUInt32BE(1) : HEADER;
  }

  // The COPY's data ended (CopyDone) or failed (ErrorResponse): pg reads the rest.
  private finish(rows: number, ends: Uint32Array, buf: Buffer, out: number, rest: Buffer, done: boolean): void {
    if (rows) this.push(rowChunk(buf, out, ends, rows));
    const connection = this.connection!;
    const handler = this.pgHandler!;
    this.connection = null;
    connection.stream.removeListener('readable', this.onReadable);
    if (this.batching) clearTimeout(this.batching);
    connection.stream.on('data', handler);
    handler(Buffer.from(rest)); // a copy: `buf`'s start now holds rows
    process.nextTick(() => connection.stream.resume());
    if (done) this.push(null);
  }

  handleError(err: Error): void {
    this.destroy(err);
  }

  handleCommandComplete(msg: { text?: string }): void {
    const match = /COPY (\d+)/.exec(msg?.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {}
}
