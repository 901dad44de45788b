// Extracts one part: COPY of one key or block range, encoded, compressed and uploaded as one file. A retry
// writes the same key again, so a part is never duplicated nor lost.
import { Context } from '@temporalio/activity';
import type { PartResult } from '../../domain/extraction-job';
import type { PartRange } from '../../domain/plan';
import { RowScanner } from '../../connectors/postgres/row-scanner';
import type { ExtractDeps } from './deps';
import { toActivityFailure } from './failure';
import { keepHeartbeating, type PartHeartbeat } from './heartbeat';
import { newSink, openCopy, type ReadInput } from './read';

export interface PartInput extends ReadInput {
  index: number;
  range: PartRange;
}

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
