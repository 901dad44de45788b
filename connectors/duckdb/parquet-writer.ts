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

class DuckdbProcess {
  readonly waiting = new Map<number, Waiting>();
  private readonly child: ChildProcess;

  get pid(): number | undefined {
    return this.child.pid;
  }

  constructor(onGone: () => void) {
    this.child = fork(ENTRY, [], { execArgv: EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (r: ParquetReply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (!r.error) return w.resolve();
      const { message, column, text } = r.error;
      w.reject(column === undefined ? new Error(message) : new UnrepresentableValue(column, text ?? ''));
    });
    const fail = (why: string) => {
      onGone();
      for (const w of this.waiting.values()) w.reject(new Error(`DuckDB's process ${why} while it wrote Parquet`));
      this.waiting.clear();
    };
    this.child.on('error', (err) => fail(`failed (${err.message})`));
    this.child.on('exit', (code, signal) => fail(`ended (${signal ?? `code ${code}`})`));
  }

  send(m: ParquetRequest): void {
    this.child.send(m, (err) => {
      if (err && m.type === 'write') this.settle(m.id, err);
    });
  }

  private settle(id: number, err: Error): void {
    this.waiting.get(id)?.reject(err);
    this.waiting.delete(id);
  }

  // Idle, it does not keep the worker's event loop alive.
  hold(busy: boolean): void {
    const handles = [this.child, this.child.channel];
    for (const h of handles) {
      if (busy) h?.ref();
      else h?.unref();
    }
  }

  end(): void {
    if (this.child.connected) this.child.disconnect(); // it exits on disconnect
  }
}

/** Parquet files written by DuckDB's process; the one process for all parts, started as needed. */
export class ParquetWriter {
  private current: DuckdbProcess | null = null;
  private idle: NodeJS.Timeout | undefined;
  private nextId = 0;

  /** `idleExitMs`: the process ends once no file has been asked for in this long. */
  constructor(private readonly idleExitMs: number) {}

  /** DuckDB's process, while there is one. */
  get pid(): number | undefined {
    return this.current?.pid;
  }

  /** Writes the Parquet file `out` of the COPY text in `file` (copy-text-to-parquet.ts); `signal` interrupts it. */
  write(file: string, out: string, write: ParquetWrite, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new Error('the Parquet write was aborted'));
    clearTimeout(this.idle);
    const proc = (this.current ??= new DuckdbProcess(() => {
      if (this.current === proc) this.current = null;
    }));
    const id = ++this.nextId;
    const onAbort = () => proc.send({ type: 'interrupt', id });
    const written = new Promise<void>((resolve, reject) => {
      proc.waiting.set(id, { resolve, reject });
      proc.hold(true);
      proc.send({ type: 'write', id, file, out, write });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return written.finally(() => {
      signal?.removeEventListener('abort', onAbort);
      if (proc.waiting.size) return;
      proc.hold(false);
      if (this.current !== proc) return;
      this.idle = setTimeout(() => {
        this.current = null;
        proc.end();
      }, this.idleExitMs);
      this.idle.unref();
    });
  }
}

/** The worker's. */
export const parquetWriter = new ParquetWriter(IDLE_EXIT_MS);
