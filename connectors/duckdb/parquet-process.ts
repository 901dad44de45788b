// The process DuckDB runs in: a child of the worker (parquet-writer.ts) that writes Parquet files from COPY text
// as it is asked, and exits once the worker lets go of it. `threads` 1: a statement runs on the libuv thread that
// runs it, one per part; `memory_limit` bounds what DuckDB holds for all of them at once, beyond which it spills
// to `temp_directory`. Nothing is stored: the database is in memory and only reads and writes the files it is given.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyTextToParquet, UnrepresentableValue } from './copy-text-to-parquet';
import type { ParquetReply, ParquetRequest } from './parquet-writer';

const SETTINGS = {
  threads: '1',
  memory_limit: '512MB',
  temp_directory: join(tmpdir(), `sluice-duckdb-${process.pid}`),
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
};

const instance = DuckDBInstance.create(':memory:', SETTINGS);
instance.catch(() => undefined); // a failure to open is each write's to report, with its message
// The writes under way, with their connection once they have one.
const running = new Map<number, DuckDBConnection | null>();
const interrupted = new Set<number>(); // asked to stop before their connection was made

process.on('message', (m: ParquetRequest) => {
  if (m.type === 'write') return void write(m);
  if (!running.has(m.id)) return; // already done
  const connection = running.get(m.id);
  if (connection) connection.interrupt();
  else interrupted.add(m.id);
});
// The worker let go of this process, or ended.
process.on('disconnect', () => process.exit(0));

async function write(m: Extract<ParquetRequest, { type: 'write' }>): Promise<void> {
  let connection: DuckDBConnection | undefined;
  running.set(m.id, null);
  try {
    connection = await (await instance).connect();
    running.set(m.id, connection);
    if (interrupted.delete(m.id)) throw new Error('interrupted before it began');
    await connection.run(`SET TimeZone = 'UTC'`); // TIMESTAMPTZ values in and out as UTC
    await copyTextToParquet(connection, m.file, m.out, m.write);
    reply({ id: m.id });
  } catch (err) {
    const e = err as Error;
    reply({ id: m.id, error: e instanceof UnrepresentableValue ? { message: e.message, column: e.column, text: e.text } : { message: e.message } });
  } finally {
    running.delete(m.id);
    interrupted.delete(m.id);
    connection?.closeSync();
  }
}

function reply(r: ParquetReply): void {
  if (process.connected) process.send!(r);
}
