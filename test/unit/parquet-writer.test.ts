// DuckDB's process (connectors/duckdb/parquet-writer.ts): it writes the files it is asked for, ends once idle so
// that what DuckDB held goes with it, and a crash of it fails the file being written, not the worker.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRST_LINE, UnrepresentableValue, type ParquetWrite } from '../../connectors/duckdb/copy-text-to-parquet';
import { ParquetWriter } from '../../connectors/duckdb/parquet-writer';
import { ParquetReader } from '../support/parquet';

let dir: string;
let reader: ParquetReader;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-parquet-writer-'));
  reader = await ParquetReader.open();
});
afterAll(() => {
  reader.close();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
function copyText(rows: string[]): { file: string; out: string; write: ParquetWrite } {
  const n = files++;
  const file = join(dir, `rows-${n}.txt`);
  const text = rows.map((r) => `${r}\n`).join('');
  writeFileSync(file, Buffer.concat([FIRST_LINE, Buffer.from(text)]));
  return { file, out: join(dir, `rows-${n}.parquet`), write: { types: [{ kind: 'int64' }, { kind: 'date' }], codec: 'ZSTD', rows: rows.length, bytes: text.length } };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function untilGone(pid: number): Promise<void> {
  for (let i = 0; i < 500 && alive(pid); i++) await new Promise((ok) => setTimeout(ok, 20));
}

test('writes the file in a process of its own, which ends once no file has been asked for a while', async () => {
  const writer = new ParquetWriter(100);
  const a = copyText(['1\t2024-01-02', '2\t\\N']);
  const b = copyText(['3\t1999-12-31']);
  await Promise.all([writer.write(a.file, a.out, a.write), writer.write(b.file, b.out, b.write)]);
  const pid = writer.pid!;
  expect(pid).not.toBe(process.pid);
  expect(await reader.rows(readFileSync(a.out), 'c0, CAST(c1 AS VARCHAR) AS c1')).toEqual([{ c0: 1n, c1: '2024-01-02' }, { c0: 2n, c1: null }]);
  expect(await reader.rows(readFileSync(b.out), 'c0')).toEqual([{ c0: 3n }]);
  await untilGone(pid);
  expect(alive(pid)).toBe(false);
  expect(writer.pid).toBeUndefined();
  // The next file starts another.
  const c = copyText(['4\t2000-01-01']);
  await writer.write(c.file, c.out, c.write);
  expect(writer.pid).not.toBe(pid);
});

test('a value the column cannot hold comes back as unrepresentable, naming the column and the value', async () => {
  const writer = new ParquetWriter(100);
  const bad = copyText(['1\tinfinity']);
  const err = await writer.write(bad.file, bad.out, bad.write).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UnrepresentableValue);
  expect(err).toMatchObject({ column: 1, text: 'infinity' });
});

test('a crash of the process fails the file it was writing; the next file gets a new process', async () => {
  const writer = new ParquetWriter(100);
  const a = copyText(['1\t2024-01-02']);
  await writer.write(a.file, a.out, a.write); // started
  const pid = writer.pid!;
  const b = copyText(['2\t2024-01-03']);
  const writing = writer.write(b.file, b.out, b.write);
  process.kill(pid, 'SIGKILL');
  await expect(writing).rejects.toThrow("DuckDB's process ended (SIGKILL) while it wrote Parquet");
  const c = copyText(['3\t2024-01-04']);
  await writer.write(c.file, c.out, c.write);
  expect(writer.pid).not.toBe(pid);
  expect(await reader.rows(readFileSync(c.out), 'c0')).toEqual([{ c0: 3n }]);
});

test('an aborted signal fails the write before it is sent', async () => {
  const writer = new ParquetWriter(100);
  const a = copyText(['1\t2024-01-02']);
  await expect(writer.write(a.file, a.out, a.write, AbortSignal.abort())).rejects.toThrow('aborted');
  expect(writer.pid).toBeUndefined();
});
