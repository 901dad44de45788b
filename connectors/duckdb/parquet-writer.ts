// Writes Parquet files through DuckDB in a process of its own (parquet-process.ts), started with the first file
// and ended once none has been asked for in IDLE_EXIT_MS. DuckDB keeps what it allocates (its own jemalloc, and
// 30 MiB of its library's pages) until its process ends: in the worker itself, that stayed in the worker's
// resident memory after the last Parquet part (289 MiB at rest after Parquet jobs, against ~205 MiB before any).
// A crash in DuckDB fails the files it was writing, not the worker.
import { fork, type ChildProcess } from 'node:child_process';
import { extname, join } from 'node:path';
import { UnrepresentableValue, type ParquetWrite } from './copy-text-to-parquet';

export type ParquetRequest = { type: 'write'; id: number; file: string; out: string; write: ParquetWrite } | { type: 'interrupt'; id: number };
export interface ParquetReply {
  id: number;
  error?: { message: string; column?: number; text?: string };
}

const IDLE_EXIT_MS = 10_000;
// The compiled worker forks the compiled .js; tests and the dev stack run TypeScript, through tsx.
const ENTRY = join(__dirname, `parquet-process${extname(__filename)}`);
const EXEC_ARGV = extname(__filename) === '.ts' ? ['--import', 'tsx'] : [];

interface Waiting {
  resolve(): void;
  reject(err: Error): void;
}

// One DuckDB process and the writes it has been asked for.
class DuckdbProcess {
  private readonly waiting = new Map<number, Waiting>();
  private readonly child: ChildProcess;
  private nextId = 0;

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Writes under way. */
  get busy(): boolean {
    return this.waiting.size > 0;
  }

  constructor(onGone: () => void) {
    this.child = fork(ENTRY, [], { execArgv: EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (r: ParquetReply) => {
      if (!r.error) return this.settle(r.id);
      const { message, column, text } = r.error;
      this.settle(r.id, column === undefined ? new Error(message) : new UnrepresentableValue(column, text ?? ''));
    });
    const fail = (why: string) => {
      onGone();
      for (const id of [...this.waiting.keys()]) this.settle(id, new Error(`DuckDB's process ${why} while it wrote Parquet`));
    };
    this.child.on('error', (err) => fail(`failed (${err.message})`));
    this.child.on('exit', (code, signal) => fail(`ended (${signal ?? `code ${code}`})`));
  }

  write(file: string, out: string, write: ParquetWrite, signal?: AbortSignal): Promise<void> {
    const id = ++this.nextId;
    const onAbort = () => this.send({ type: 'interrupt', id });
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.hold(true);
      this.send({ type: 'write', id, file, out, write });
      signal?.addEventListener('abort', onAbort, { once: true });
    }).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      if (!this.busy) this.hold(false);
    });
  }

  end(): void {
    if (this.child.connected) this.child.disconnect(); // it exits on disconnect
  }

  private send(m: ParquetRequest): void {
    this.child.send(m, (err) => {
      if (err && m.type === 'write') this.settle(m.id, err);
    });
  }

  private settle(id: number, err?: Error): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    if (err) w.reject(err);
    else w.resolve();
  }

  // Idle, it does not keep the worker's event loop alive.
  private hold(busy: boolean): void {
    for (const h of [this.child, this.child.channel]) {
      if (busy) h?.ref();
      else h?.unref();
    }
  }
}

/** Parquet files written by DuckDB's process; the one process for all parts, started as needed. */
export class ParquetWriter {
  private current: DuckdbProcess | null = null;
  private idle: NodeJS.Timeout | undefined;

  /** `idleExitMs`: the process ends once no file has been asked for in this long. */
  constructor(private readonly idleExitMs: number) {}

  /** DuckDB's process, while there is one. */
  get pid(): number | undefined {
    return this.current?.pid;
  }

  /** Writes the Parquet file `out` of the COPY text in `file` (copy-text-to-parquet.ts); `signal` interrupts it. */
  async write(file: string, out: string, write: ParquetWrite, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new Error('the Parquet write was aborted');
    clearTimeout(this.idle);
    const proc = (this.current ??= new DuckdbProcess(() => {
      if (this.current === proc) this.current = null;
    }));
    try {
      await proc.write(file, out, write, signal);
    } finally {
      if (!proc.busy && this.current === proc) {
        this.idle = setTimeout(() => {
          this.current = null;
          proc.end();
        }, this.idleExitMs);
        this.idle.unref();
      }
    }
  }
}

/** The worker's. */
export const parquetWriter = new ParquetWriter(IDLE_EXIT_MS);
