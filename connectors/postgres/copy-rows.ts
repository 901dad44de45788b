// `COPY … TO STDOUT` read as rows, without looking at their bytes (copy-frames.ts cuts them at the protocol's
// message boundaries). Attaching to the connection follows pg-copy-streams' copy-to (which this replaces for
// reading): take the socket's data from pg while the COPY runs, and hand it back with whatever follows CopyDone
// (CommandComplete, ReadyForQuery) or from an ErrorResponse on, so pg ends the query as usual. A source socket of
// copy-socket.ts is read straight from its reused buffer; any other (a TLS socket) as a stream.
import { Readable } from 'node:stream';
import type { Connection } from 'pg';
import { CopyFrames, type CopyEnd } from './copy-frames';
import { attachReader, detachReader } from './copy-socket';

export type { RowChunk } from './copy-frames';

// PostgreSQL sends 8 KiB at a time, and a reader that keeps up gets each piece on its own: per-chunk costs (a
// push, a write downstream) would then outweigh the bytes. Rows are held up to a millisecond before they are
// handed on short of a full batch, which makes chunks of ~64 KiB.
const GATHER_MS = 1;
const SMALL_READ = 32 * 1024;

type Socket = Connection['stream'] & { read(): Buffer | null };
type DataHandler = (chunk: Buffer) => void;

export class CopyRows extends Readable {
  /** PostgreSQL's own count (from the command tag), once the COPY has ended. */
  rowCount = 0;
  private connection: (Connection & { stream: Socket }) | null = null;
  private readonly frames = new CopyFrames((chunk) => {
    if (!this.push(chunk)) this.wanted = false;
  });
  private wanted = false;
  private stopped = false; // a reused-buffer socket's reading, stopped until the consumer wants more
  private pgHandler: DataHandler | null = null; // a stream socket's: pg's data listener, set aside meanwhile
  private forwarding = false;
  private gathering: NodeJS.Timeout | null = null;
  private resting: NodeJS.Timeout | null = null;

  constructor(private readonly text: string) {
    super({ objectMode: true, highWaterMark: 4 });
  }

  // Called by pg when the query's turn comes.
  submit(connection: Connection & { stream: Socket }): void {
    this.connection = connection;
    const socket = connection.stream;
    if (!attachReader(socket, this.onRead)) {
      const listeners = socket.listeners('data') as DataHandler[];
      if (listeners.length !== 1) throw new Error(`expected pg's one data listener on the socket, found ${listeners.length}`);
      this.pgHandler = listeners[0];
      socket.removeListener('data', this.pgHandler);
      socket.pause();
      socket.on('readable', this.onReadable);
    }
    connection.query(this.text);
  }

  _read(): void {
    this.wanted = true;
    if (this.pgHandler) return this.onReadable();
    if (this.stopped && !this.resting && this.connection) {
      this.stopped = false;
      this.connection.stream.resume();
    }
  }

  _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.gathering) clearTimeout(this.gathering);
    if (this.resting) clearTimeout(this.resting);
    done(err);
  }

  // A reused-buffer socket's read; false stops reading while the consumer is behind, or for a millisecond after a
  // small read, so that the kernel gathers PostgreSQL's 8 KiB sends into fewer, larger reads.
  private readonly onRead = (bytes: Buffer): boolean => {
    this.parse(bytes);
    if (!this.connection) return true; // the COPY has ended: pg reads on
    if (this.wanted && bytes.length >= SMALL_READ) return true;
    this.stopped = true;
    if (this.wanted) this.resting = setTimeout(this.wake, GATHER_MS);
    return false;
  };

  private readonly wake = () => {
    this.resting = null;
    if (this.wanted && this.connection) {
      this.stopped = false;
      this.connection.stream.resume();
    }
  };

  // A stream socket's: what it has queued, while the consumer wants more.
  private readonly onReadable = (): void => {
    if (this.forwarding) return;
    this.forwarding = true;
    let chunk: Buffer | null;
    while (this.wanted && this.connection && (chunk = this.connection.stream.read()) !== null) this.parse(chunk);
    this.forwarding = false;
  };

  private parse(bytes: Buffer): void {
    const end = this.frames.take(bytes);
    if (end) return this.finish(end);
    if (this.frames.holding && !this.gathering) this.gathering = setTimeout(this.handOn, GATHER_MS);
  }

  private readonly handOn = () => {
    this.gathering = null;
    this.frames.flush();
  };

  // The COPY's data ended (CopyDone) or failed (ErrorResponse): pg reads the rest.
  private finish(end: CopyEnd): void {
    const socket = this.connection!.stream;
    this.connection = null;
    if (this.gathering) clearTimeout(this.gathering);
    if (this.resting) clearTimeout(this.resting);
    if (this.pgHandler) {
      const handler = this.pgHandler;
      socket.removeListener('readable', this.onReadable);
      socket.on('data', handler);
      handler(end.rest);
      process.nextTick(() => socket.resume());
    } else {
      detachReader(socket);
      socket.emit('data', end.rest);
    }
    if (end.done) this.push(null);
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
