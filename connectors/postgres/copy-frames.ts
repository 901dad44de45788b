// The bytes of a `COPY … TO STDOUT`, as the connection delivers them, cut into rows. PostgreSQL sends every row
// (and CSV's header line) as one CopyData message (copyto.c, CopySendEndOfRow), so the protocol's own framing says
// where rows end: no byte of a row is looked at. The bytes are copied into batch buffers and the 5-byte message
// headers stripped in place; a batch is handed on once it holds PUSH_BYTES of rows (or when asked).
//
// Batches are used again: a consumer calls a chunk's `release()` once nothing reads its bytes any more, and the
// next batch may then be that buffer. A chunk never released is left to the garbage collector, so a consumer
// that cannot tell when it is done (it keeps the bytes) just does not call it. Reusing them keeps a COPY of any
// size from allocating a buffer per socket read (~210 MB of them per 2M rows), whose churn cost collections and
// memory that stayed allocated until one.
import { BufferPool } from '../buffer-pool';

/** Rows as they came: `data` holds `rows` whole rows; row i ends at `ends[i]` (exclusive). */
export interface RowChunk {
  data: Buffer;
  rows: number;
  ends: Uint32Array;
  /** The consumer is done with `data`: its buffer may hold other rows from now on. Optional to call. */
  release(): void;
}

/** How the COPY's data ended: after CopyDone (`done`) or at an ErrorResponse; `rest` is what follows, for pg. */
export interface CopyEnd {
  done: boolean;
  rest: Buffer;
}

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'
const HEADER = 5; // type byte and int32 length
export const BATCH_BYTES = 128 * 1024;
export const PUSH_BYTES = 64 * 1024;

// Batches no COPY is using, for the next one; one larger than a batch (for a row that is) is not kept.
const batches = new BufferPool(BATCH_BYTES, 16);
const takeBatch = (least: number): Buffer => (least <= BATCH_BYTES ? batches.take() : Buffer.allocUnsafeSlow(least));

function chunkOf(batch: Buffer, bytes: number, ends: Uint32Array, rows: number): RowChunk {
  let released = false;
  return {
    data: batch.subarray(0, bytes), rows, ends: ends.slice(0, rows),
    release: () => {
      if (released) return;
      released = true;
      batches.giveBack(batch);
    },
  };
}

export class CopyFrames {
  // The batch: rows (headers stripped) in [0, out), bytes not yet parsed in [parsed, filled).
  private batch: Buffer | null = null;
  private out = 0;
  private rows = 0;
  private parsed = 0;
  private filled = 0;
  private ends: Uint32Array = new Uint32Array(1024);
  private ended = false;

  constructor(private readonly emit: (chunk: RowChunk) => void) {}

  /** Rows are held that have not been handed on. */
  get holding(): boolean {
    return this.rows > 0;
  }

  /**
   * Takes the connection's next bytes (copied: the caller may reuse `bytes` once this returns); returns how the
   * COPY's data ended once it has, and null until then.
   */
  take(bytes: Buffer): CopyEnd | null {
    if (this.ended) throw new Error('the COPY has ended');
    let at = 0;
    while (at < bytes.length) {
      this.batch ??= takeBatch(BATCH_BYTES);
      if (this.filled === this.batch.length) this.next();
      const batch = this.batch!;
      const n = Math.min(batch.length - this.filled, bytes.length - at);
      bytes.copy(batch, this.filled, at, at + n);
      this.filled += n;
      at += n;
      const end = this.parse();
      if (end) return this.end(end, bytes.subarray(at));
    }
    if (this.out >= PUSH_BYTES) this.next();
    return null;
  }

  /** Hands on the rows held, if any. */
  flush(): void {
    if (this.rows) this.next();
  }

  // Parses the batch's unparsed bytes as far as they hold whole messages, moving each row's bytes down over the
  // headers before it; stops at the end of the COPY's data.
  private parse(): { done: boolean; from: number } | null {
    const buf = this.batch!;
    let pos = this.parsed;
    let end = 0;
    try {
      for (; pos + HEADER <= this.filled; pos = end) {
        const type = buf[pos];
        end = pos + 1 + buf.readUInt32BE(pos + 1);
        if (type === ERROR_RESPONSE) return { done: false, from: pos };
        if (end > this.filled) break;
        if (type === COPY_DATA) {
          buf.copyWithin(this.out, pos + HEADER, end);
          this.out += end - pos - HEADER;
          if (this.rows === this.ends.length) this.ends = growTo(this.ends, this.rows * 2);
          this.ends[this.rows++] = this.out;
        } else if (type === COPY_DONE) {
          return { done: true, from: end };
        } // CopyOutResponse, and the ParameterStatus, Notice and Notification messages that may come between rows
      }
      return null;
    } finally {
      this.parsed = pos;
    }
  }

  // Hands on the rows (if any) and goes on in a new batch with the bytes not yet parsed, large enough for the
  // message they start.
  private next(): void {
    const batch = this.batch!;
    const tail = this.filled - this.parsed;
    const message = tail >= HEADER ? 1 + batch.readUInt32BE(this.parsed + 1) : 0;
    const fresh = takeBatch(Math.max(message, tail));
    batch.copy(fresh, 0, this.parsed, this.filled);
    if (this.rows) this.emit(chunkOf(batch, this.out, this.ends, this.rows));
    else batches.giveBack(batch);
    this.batch = fresh;
    this.out = this.rows = this.parsed = 0;
    this.filled = tail;
  }

  private end(at: { done: boolean; from: number }, after: Buffer): CopyEnd {
    this.ended = true;
    const batch = this.batch!;
    const rest = Buffer.concat([batch.subarray(at.from, this.filled), after]);
    if (this.rows) this.emit(chunkOf(batch, this.out, this.ends, this.rows));
    else batches.giveBack(batch);
    this.batch = null;
    return { done: at.done, rest };
  }
}

function growTo(ends: Uint32Array, length: number): Uint32Array {
  const grown = new Uint32Array(length);
  grown.set(ends);
  return grown;
}
