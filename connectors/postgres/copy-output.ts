// A COPY of a selection in an output format, as jobs and inline answers both read it: CSV as PostgreSQL
// writes it, NDJSON through the decoder of COPY's text format. Either way it comes as whole rows (copy-rows.ts).
import type { Format } from '../../domain/extraction-request';
import type { PartRange, SelectSpec, SplitStrategy } from '../../domain/plan';
import type { CopyRows, RowChunk } from './copy-rows';
import { copyTextToNdjson } from './copy-text-to-ndjson';
import type { ReadSession } from './read-session';
import { copySql, offsetSql, selectSql } from './select-sql';

export interface CopyOutput {
  /** The COPY stream itself; destroying it stops the reading. */
  copy: CopyRows;
  /** The rows in the output format. */
  rows: AsyncIterable<RowChunk>;
  /** PostgreSQL's own row count, once the COPY has ended. */
  rowCount: () => number;
}

async function* mapChunks(source: AsyncIterable<RowChunk>, map: (c: RowChunk) => RowChunk): AsyncIterable<RowChunk> {
  for await (const chunk of source) yield map(chunk);
}

// `offset` (a stream's) skips that many rows of the selection; absent, the selection is read as it is.
export async function copyOutput(
  session: ReadSession, select: SelectSpec, format: Format, strategy: SplitStrategy = 'single-stream', range: PartRange = {}, offset?: number,
): Promise<CopyOutput> {
  const sql = selectSql(select, strategy, range);
  const copy = await session.copyRows(copySql(offset === undefined ? sql : offsetSql(sql, offset), format));
  const rowCount = () => copy.rowCount;
  return { copy, rows: format === 'ndjson' ? mapChunks(copy, copyTextToNdjson) : copy, rowCount };
}
