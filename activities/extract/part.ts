// Extracts one part: COPY of one key or block range, encoded, compressed and uploaded as one file. A retry
// writes the same key again, so a part is never duplicated nor lost.
import { Context } from '@temporalio/activity';
import type { PartResult } from '../../domain/extraction-job';
import { partReadyEvent } from '../../domain/running-job-events';
import type { PartRange } from '../../domain/plan';
import { RowScanner } from '../../connectors/postgres/row-scanner';
import type { ExtractDeps } from './deps';
import { toActivityFailure } from './failure';
import { PartTracker } from './heartbeat';
import { explainLockTimeout, newSink, openCopy, tableOf } from './read';
import type { SpecCache } from './spec';
import type { PartSink } from './part-sink';

export interface PartInput {
  jobId: string;
  tenantId: string;
  run: number;
  index: number;
  range: PartRange;
}

export const extractPart = (deps: ExtractDeps, specs: SpecCache) => async (input: PartInput): Promise<PartResult> => {
  const ctx = Context.current();
  let sink: PartSink | undefined;
  let header = 0;
  const tracker = new PartTracker(deps, ctx, { jobId: input.jobId, tenantId: input.tenantId, run: input.run, part: input.index }, () => ({
    rows: Math.max(0, (sink?.rows ?? 0) - header), bytes: sink?.bytesWritten() ?? 0,
  }));
  const usage = deps.meter.start();
  let copy: Awaited<ReturnType<typeof openCopy>> | undefined;
  let table: string | null = null;
  try {
    tracker.begin();
    const spec = await specs.get(input.jobId, input.run);
    table = tableOf(spec);
    header = spec.format === 'csv' ? 1 : 0;
    const scanner = new RowScanner(spec.format === 'csv');
    sink = newSink(deps, input, spec, input.index, ctx.cancellationSignal);
    copy = await openCopy(deps, input, spec, ctx.cancellationSignal, { range: input.range, onSession: (s) => (tracker.session = s) });
    for await (const chunk of copy.output) {
      sink.rows += scanner.scan(chunk).rows;
      await sink.write(chunk);
    }
    await copy.session.commit(); // release the source connection before waiting on storage
    const stored = await sink.finish();
    const rows = copy.rowCount();
    await tracker.succeeded({ rows, bytes: stored.bytes }, partReadyEvent(input, { ...stored, index: input.index, rows }));
    return { ...stored, index: input.index, rows, attempt: ctx.info.attempt, ...deps.meter.stop(usage) };
  } catch (err) {
    copy?.session.close(err as Error);
    await sink?.abort();
    deps.meter.stop(usage);
    const failure = toActivityFailure(explainLockTimeout(err, deps, tracker.session, table));
    await tracker.failed(failure);
    throw failure;
  }
};
