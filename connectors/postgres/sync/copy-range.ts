// Copies one snapshot range of a table from source to target, as one unit that can be redone at any time: the
// read is one short read-only transaction, the write one target transaction that first removes what an earlier
// copy of the same range left (key ranges) or merges by primary key (block ranges, whose rows have no key bounds).
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { PartRange } from '../../../domain/plan';
import type { RowChunk } from '../copy-rows';
import { ReadSession } from '../read-session';
import { selectSql } from '../select-sql';
import { quoteTable, type TableShape } from './table-shape';
import { upsertSetSql } from './upsert-sql';

export interface RangeCopy {
  shape: TableShape;
  strategy: 'key-range' | 'block-range';
  range: PartRange;
}

export interface RangeCopied {
  rows: number;
  bytes: number;
}

/** The COPY's rows as bytes, counted for the metrics and the heartbeat. */
class ByteCounter extends Transform {
  bytes = 0;
  constructor(private readonly onBytes: (total: number) => void) {
    super({ writableObjectMode: true });
  }
  // The chunk is not released: the target's COPY may still be sending its bytes after this returns.
  override _transform(chunk: RowChunk, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void) {
    this.bytes += chunk.data.length;
    this.onBytes(this.bytes);
    done(null, chunk.data);
  }
}

export interface CopyHooks {
  onBytes?: (bytes: number) => void;
  /** Aborting stops the copy (both connections are then discarded). */
  signal?: AbortSignal;
}

export async function copyRange(source: Pool, target: Pool, job: RangeCopy, hooks: CopyHooks = {}): Promise<RangeCopied> {
  const { shape, strategy, range } = job;
  const splitColumn = strategy === 'key-range' ? shape.columns.find((c) => c.name === shape.key[0]) : undefined;
  const select = selectSql(
    { kind: 'table', schema: shape.schema, name: shape.name, columns: shape.columns.map((c) => ({ name: c.name, type: c.type })), filter: [], orderBy: [], splitColumn },
    strategy, range,
  );
  const session = await ReadSession.open(source, { timeZone: 'UTC', statementTimeoutMs: 0 });
  let writer: PoolClient | undefined;
  try {
    writer = await target.connect();
    await writer.query('BEGIN');
    const into = await prepareTarget(writer, job);
    const stream = await session.copyRows({ text: `COPY (${select.text}) TO STDOUT`, values: select.values });
    const sink = writer.query(copyFrom(`COPY ${into} (${shape.columns.map((c) => writer!.escapeIdentifier(c.name)).join(', ')}) FROM STDIN`));
    const counter = new ByteCounter(hooks.onBytes ?? (() => undefined));
    await pipeline(stream, counter, sink, { signal: hooks.signal });
    if (strategy === 'block-range') await writer.query(upsertSetSql(writer, shape, 'sluice_range'));
    await writer.query('COMMIT');
    await session.commit();
    return { rows: sink.rowCount, bytes: counter.bytes };
  } catch (err) {
    session.close(err as Error);
    writer?.release(err as Error); // mid-COPY: the connection cannot be reused
    writer = undefined;
    throw err;
  } finally {
    writer?.release();
  }
}

// Key range: delete what the range holds on the target, then COPY straight into the table. Block range: COPY into
// a staging table that the merge reads.
async function prepareTarget(writer: PoolClient, { shape, strategy, range }: RangeCopy): Promise<string> {
  const table = quoteTable(writer, shape);
  if (strategy === 'block-range') {
    await writer.query(`CREATE TEMP TABLE sluice_range (LIKE ${table}) ON COMMIT DROP`);
    return 'sluice_range';
  }
  const key = writer.escapeIdentifier(shape.key[0]);
  const conditions: string[] = [];
  const values: string[] = [];
  if (range.from !== undefined) conditions.push(`${key} >= $${values.push(range.from)}`);
  if (range.to !== undefined) conditions.push(`${key} < $${values.push(range.to)}`);
  await writer.query(`DELETE FROM ${table}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`, values);
  return table;
}
