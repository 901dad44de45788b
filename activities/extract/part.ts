// Extracts one part: COPY of one key or block range, encoded, compressed and uploaded as one file. A retry
// writes the same key again, so a part is never duplicated nor lost.
import { Context } from '@temporalio/activity';
import type { Readable } from 'node:stream';
import type { PartResult } from '../../domain/extraction-job';
import type { Compression, Format } from '../../domain/extraction-request';
import { jobPrefix, partFileName, type PartRange, type SelectSpec, type SplitStrategy } from '../../domain/plan';
import { CopyTextToNdjson } from '../../connectors/postgres/copy-text-to-ndjson';
import { ReadSession } from '../../connectors/postgres/read-session';
import { RowScanner } from '../../connectors/postgres/row-scanner';
import { copySql, selectSql } from '../../connectors/postgres/select-sql';
import { sourcePool, type ExtractDeps } from './deps';
import { toActivityFailure } from './failure';
import { keepHeartbeating, type PartHeartbeat } from './heartbeat';
import { PartSink } from './part-sink';

export interface ReadInput {
  jobId: string;
  tenantId: string;
  source: string;
  format: Format;
  compression: Compression;
  timeZone: string;
  select: SelectSpec;
  strategy: SplitStrategy;
}

export interface PartInput extends ReadInput {
  index: number;
  range: PartRange;
}

// Opens a read session and a COPY of the selection; the caller owns the session. An abort closes the
// connection at once, so a cancelled activity does not wait for the next row of a slow query.
export async function openCopy(deps: ExtractDeps, input: ReadInput, signal: AbortSignal, range: PartRange = {}) {
  const pool = await sourcePool(deps, input.tenantId, input.source);
  const session = await ReadSession.open(pool, { timeZone: input.timeZone, statementTimeoutMs: deps.statementTimeoutMs });
  try {
    const { stream, rowCount } = await session.copy(copySql(selectSql(input.select, input.strategy, range), input.format));
    signal.addEventListener('abort', () => {
      session.close(new Error('cancelled'));
      stream.destroy(new Error('cancelled'));
    }, { once: true });
    let output: Readable = stream;
    if (input.format === 'ndjson') {
      const decoder = new CopyTextToNdjson();
      stream.on('error', (err) => decoder.destroy(err));
      output = stream.pipe(decoder);
    }
    return { session, output, rowCount };
  } catch (err) {
    session.close(err as Error);
    throw err;
  }
}

export const newSink = (deps: ExtractDeps, input: ReadInput, index: number, signal: AbortSignal) => {
  const fileName = partFileName(index, input.format, input.compression);
  return new PartSink({
    s3: deps.s3, bucket: deps.bucket, key: jobPrefix(input.tenantId, input.jobId) + fileName, fileName,
    format: input.format, compression: input.compression, gzipLevel: deps.gzipLevel, signal,
  });
};

export const extractPart = (deps: ExtractDeps) => async (input: PartInput): Promise<PartResult> => {
  const ctx = Context.current();
  const sink = newSink(deps, input, input.index, ctx.cancellationSignal);
  const scanner = new RowScanner(input.format === 'csv');
  const header = input.format === 'csv' ? 1 : 0;
  const stopHeartbeat = keepHeartbeating(ctx, (): PartHeartbeat => ({ rows: Math.max(0, sink.rows - header), bytes: sink.bytesWritten() }));
  const usage = deps.meter.start();
  let copy: Awaited<ReturnType<typeof openCopy>> | undefined;
  try {
    copy = await openCopy(deps, input, ctx.cancellationSignal, input.range);
    for await (const chunk of copy.output) {
      sink.rows += scanner.scan(chunk).rows;
      await sink.write(chunk);
    }
    await copy.session.commit(); // release the source connection before waiting on storage
    const stored = await sink.finish();
    return { ...stored, index: input.index, rows: copy.rowCount(), attempt: ctx.info.attempt, ...deps.meter.stop(usage) };
  } catch (err) {
    copy?.session.close(err as Error);
    await sink.abort();
    deps.meter.stop(usage);
    throw toActivityFailure(err);
  } finally {
    stopHeartbeat();
  }
};
