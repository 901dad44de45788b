// A COPY of a selection in an output format, as jobs and inline answers both read it: CSV as PostgreSQL
// writes it, NDJSON through the decoder of COPY's text format.
import type { Readable } from 'node:stream';
import type { Format } from '../../domain/extraction-request';
import type { PartRange, SelectSpec, SplitStrategy } from '../../domain/plan';
import { CopyTextToNdjson } from './copy-text-to-ndjson';
import type { ReadSession } from './read-session';
import { copySql, offsetSql, selectSql } from './select-sql';

export interface CopyOutput {
  /** The COPY stream itself; destroying it stops the reading. */
  copy: Readable;
  /** The bytes in the output format. */
  output: Readable;
  /** PostgreSQL's own row count, once the COPY has ended. */
  rowCount: () => number;
}

// `offset` (a stream's) skips that many rows of the selection; absent, the selection is read as it is.
export async function copyOutput(
  session: ReadSession, select: SelectSpec, format: Format, strategy: SplitStrategy = 'single-stream', range: PartRange = {}, offset?: number,
): Promise<CopyOutput> {
  const sql = selectSql(select, strategy, range);
  const { stream, rowCount } = await session.copy(copySql(offset === undefined ? sql : offsetSql(sql, offset), format));
  if (format !== 'ndjson') return { copy: stream, output: stream, rowCount };
  const decoder = new CopyTextToNdjson();
  stream.on('error', (err) => decoder.destroy(err));
  return { copy: stream, output: stream.pipe(decoder), rowCount };
}
