// The worker's one in-process DuckDB, which writes Parquet files. `threads` 1: DuckDB starts no threads of its
// own, so a statement runs on the one thread that runs it (one of libuv's), whatever else runs beside it;
// `memory_limit` bounds what DuckDB holds for all statements at once, beyond which it spills to `temp_directory`.
// Nothing is stored: the database is in memory and only reads and writes the files it is given. The library is
// loaded with the first Parquet part: a worker that writes none does not carry its ~11 MiB.
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SETTINGS = {
  threads: '1',
  memory_limit: '512MB',
  temp_directory: join(tmpdir(), `sluice-duckdb-${process.pid}`),
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
};

// require(), not import(): the compiled worker is CommonJS, and Jest runs it without ES modules in its VM.
const loadDuckdb = (): typeof import('@duckdb/node-api') => require('@duckdb/node-api');

let instance: Promise<DuckDBInstance> | null = null;
let users = 0;
let closing: NodeJS.Timeout | undefined;
// DuckDB keeps what it allocated (~100 MiB after four parts at once) until its instance closes: once no part has
// used it for this long, it is closed, so a worker that has written Parquet goes back to its own size.
const IDLE_CLOSE_MS = 10_000;

/** A new connection to the shared instance (created on first use); give it back with closeDuckdbConnection(). */
export async function duckdbConnection(): Promise<DuckDBConnection> {
  clearTimeout(closing);
  closing = undefined;
  users++;
  try {
    instance ??= loadDuckdb().DuckDBInstance.create(':memory:', SETTINGS).catch((err) => {
      instance = null;
      throw err;
    });
    const connection = await (await instance).connect();
    await connection.run(`SET TimeZone = 'UTC'`); // TIMESTAMPTZ values in and out as UTC
    return connection;
  } catch (err) {
    letGo();
    throw err;
  }
}

export function closeDuckdbConnection(connection: DuckDBConnection): void {
  connection.closeSync();
  letGo();
}

function letGo(): void {
  if (--users > 0) return;
  closing = setTimeout(() => {
    const idle = instance;
    instance = null;
    closing = undefined;
    void idle?.then((i) => i.closeSync(), () => undefined);
  }, IDLE_CLOSE_MS);
  closing.unref();
}

/** An SQL string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
