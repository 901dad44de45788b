// Reads pgoutput from a replication slot, values as PostgreSQL text, and acknowledges only what it is told to:
// the position the caller has committed on the target (design.md §4). Messages are handed over one at a time,
// in order. Reading goes on while the handler works (what arrives meanwhile makes the next batch: a commit
// groups the transactions that queued up behind it), up to a bound of buffered bytes; past it the socket is
// paused, so a slow apply holds the stream back instead of filling memory.
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { decodeRowMessage, isRowMessage } from './pgoutput-rows';

export type WalMessage = Pgoutput.Message & { bytes: number };

// The library decodes values with node-pg's type parsers (Dates lose microseconds, numerics become floats);
// the apply needs the text PostgreSQL sent. Row messages are decoded by Sluice (pgoutput-rows.ts), against the
// relations the library's Relation messages describe; those come before the rows that use them.
class TextPgoutputPlugin extends PgoutputPlugin {
  private readonly relations = new Map<number, Pgoutput.MessageRelation>();
  private readonly relationOf = (oid: number) => this.relations.get(oid);

  override parse(buffer: Buffer): WalMessage {
    const msg = (isRowMessage(buffer) ? decodeRowMessage(buffer, this.relationOf) : super.parse(buffer)) as WalMessage;
    if (msg.tag === 'relation') this.relations.set(msg.relationOid, msg);
    msg.bytes = buffer.length;
    return msg;
  }
}

const lsnValue = (lsn: string): bigint => {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
};
export const compareLsn = (a: string, b: string): number => {
  const d = lsnValue(a) - lsnValue(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};
const lsnText = (v: bigint) => `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;

export interface WalReaderOptions {
  url: string;
  slot: string;
  publication: string;
  /** Where to start: the target's watermark (the server starts at its own confirmed position if that is later). */
  startLsn: string;
  onMessage(msg: WalMessage): Promise<void> | undefined;
  /** The server's keepalive: how far it has sent (`walEnd`) and whether it wants an answer now. */
  onKeepalive(walEnd: string, replyRequested: boolean): void;
}

// Buffered messages, in bytes of pgoutput: the socket pauses above the first and resumes below the second.
const PAUSE_ABOVE_BYTES = 16 << 20;
const RESUME_BELOW_BYTES = 4 << 20;
// Acknowledgements not asked for by the server are sent at most this often.
const ACK_EVERY_MS = 200;

export class WalReader {
  private readonly service: LogicalReplicationService;
  private failed: ((err: Error) => void) | null = null;
  private readonly queue: WalMessage[] = [];
  private head = 0;
  private queuedBytes = 0;
  private draining = false;
  private paused = false;
  private stopped = false;
  private ackWanted: string | null = null;
  private ackSentAt = 0;
  private ackTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: WalReaderOptions) {
    this.service = new LogicalReplicationService(
      { connectionString: o.url, application_name: `sluice-stream-${o.slot}` },
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: false } },
    );
    this.service.on('data', (_lsn: string, msg: WalMessage) => this.enqueue(msg));
    this.service.on('heartbeat', (lsn: string, _at: number, reply: boolean) => o.onKeepalive(lsn, reply));
    this.service.on('error', (err: Error) => this.failed?.(err));
  }

  private enqueue(msg: WalMessage): void {
    if (this.stopped) return;
    this.queue.push(msg);
    this.queuedBytes += msg.bytes;
    if (!this.paused && this.queuedBytes > PAUSE_ABOVE_BYTES) this.socket(false);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.head < this.queue.length && !this.stopped) {
        const msg = this.queue[this.head++];
        this.queuedBytes -= msg.bytes;
        if (this.paused && this.queuedBytes < RESUME_BELOW_BYTES) this.socket(true);
        const waiting = this.o.onMessage(msg);
        if (waiting) await waiting;
        if (this.head > 4096) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
      }
    } catch (err) {
      this.failed?.(err as Error);
    } finally {
      this.draining = false;
    }
  }

  // The library's own flow control pauses the same socket; it keeps no handle of its own to it.
  private socket(flowing: boolean): void {
    const stream = (this.service as unknown as { _connection?: { stream?: { pause(): void; resume(): void } } })._connection?.stream;
    this.paused = !flowing;
    if (flowing) stream?.resume();
    else stream?.pause();
  }

  /** Streams until `stop()` (resolves) or an error (rejects). */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.failed = (err) => {
        this.failed = null;
        void this.service.stop().catch(() => undefined);
        reject(err);
      };
      const plugin = new TextPgoutputPlugin({ protoVersion: 1, publicationNames: [this.o.publication], messages: true });
      this.service.subscribe(plugin, this.o.slot, this.o.startLsn).then(() => {
        this.failed = null;
        resolve();
      }, (err: Error) => this.failed?.(err) ?? reject(err));
    });
  }

  /** Messages waiting to be handed over: none means the handler has seen everything received so far. */
  get backlog(): number {
    return this.queue.length - this.head;
  }

  /**
   * Tells the server everything before `lsn` is flushed (its confirmed position becomes `lsn`: transactions
   * committing from there on are sent again after a reconnect). At once when `now` (a keepalive asks for an
   * answer), else at most every ACK_EVERY_MS with the furthest position asked for: a busy stream commits many
   * small batches a second, each a write to the socket, and the slot lagging the watermark by a moment costs
   * nothing (the watermark decides what is applied). The library reports `lsn + 1`; hence the − 1.
   */
  acknowledge(lsn: string, now = false): Promise<void> {
    if (!this.ackWanted || compareLsn(lsn, this.ackWanted) > 0) this.ackWanted = lsn;
    const wait = this.ackSentAt + ACK_EVERY_MS - Date.now();
    if (now || wait <= 0) return this.sendAck();
    this.ackTimer ??= setTimeout(() => void this.sendAck().catch(() => undefined), wait);
    return Promise.resolve();
  }

  private async sendAck(): Promise<void> {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    const lsn = this.ackWanted;
    if (!lsn) return;
    this.ackWanted = null;
    this.ackSentAt = Date.now();
    await this.service.acknowledge(lsnText(lsnValue(lsn) - 1n));
  }

  async stop(): Promise<void> {
    await this.sendAck().catch(() => undefined); // what was committed, told before the connection goes
    this.stopped = true;
    this.failed = null;
    await this.service.stop();
  }
}
