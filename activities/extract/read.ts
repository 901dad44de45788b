// What part and stream activities share: the selection to read, a COPY of it, and a part file to write.
import type { Compression, Format } from '../../domain/extraction-request';
import { jobPrefix, partFileName, type PartRange, type SelectSpec, type SplitStrategy } from '../../domain/plan';
import { copyOutput } from '../../connectors/postgres/copy-output';
import { ReadSession } from '../../connectors/postgres/read-session';
import { sourcePool, type ExtractDeps } from './deps';
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

// Opens a read session and a COPY of the selection; the caller owns the session. An abort closes the
// connection at once, so a cancelled activity does not wait for the next row of a slow query.
export async function openCopy(deps: ExtractDeps, input: ReadInput, signal: AbortSignal, range: PartRange = {}) {
  const pool = await sourcePool(deps, input.tenantId, input.source);
  const session = await ReadSession.open(pool, { timeZone: input.timeZone, statementTimeoutMs: deps.statementTimeoutMs });
  try {
    const { copy, output, rowCount } = await copyOutput(session, input.select, input.format, input.strategy, range);
    signal.throwIfAborted(); // cancelled while connecting: the listener below would never hear of it
    signal.addEventListener('abort', () => {
      session.close(new Error('cancelled'));
      copy.destroy(new Error('cancelled'));
    }, { once: true });
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
    columns: input.select.columns, parquetRowGroupRows: deps.parquetRowGroupRows,
  });
};
