// The worker's one in-process DuckDB, which writes Parquet files. `threads` 1: DuckDB starts no threads of its
// own, so a statement runs on the one thread that runs it (one of libuv's), whatever else runs beside it;
// `memory_limit` bounds what DuckDB holds for all statements at once, beyond which it spills to `temp_directory`.
// Nothing is stored: the database is in memory and only reads and writes the files it is given.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SETTINGS = {
  threads: '1',
  memory_limit: '512MB',
  temp_directory: join(tmpdir(), `sluice-duckdb-${process.pid}`),
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
};

let instance: Promise<DuckDBInstance> | null = null;

/** A new connection to the shared instance (created on first use); close it with closeSync(). */
export async function duckdbConnection(): Promise<DuckDBConnection> {
  instance ??= DuckDBInstance.create(':memory:', SETTINGS).catch((err) => {
    instance = null;
    throw err;
  });
  const connection = await (await instance).connect();
  await connection.run(`SET TimeZone = 'UTC'`); // TIMESTAMPTZ values in and out as UTC
  return connection;
}

/** An SQL string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
