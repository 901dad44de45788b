// A selection that cannot be split (a query, or an order no key range keeps) runs as one COPY, cut into part
// files at row boundaries every `partRows` rows. CSV parts each start with the header. A retry starts over and
// overwrites the same keys, then removes parts a previous attempt made beyond the new last one.
import { Context } from '@temporalio/activity';
import type { PartResult } from '../../domain/extraction-job';
import { jobPrefix } from '../../domain/plan';
import { RowScanner } from '../../connectors/postgres/row-scanner';
import { deletePrefix } from '../../connectors/s3/objects';
import type { ExtractDeps } from './deps';
import { toActivityFailure } from './failure';
import { keepHeartbeating } from './heartbeat';
import { newSink, openCopy, type ReadInput } from './read';
import type { PartSink } from './part-sink';

export interface StreamInput extends ReadInput {
  partRows: number;
}

export const extractStream = (deps: ExtractDeps) => async (input: StreamInput): Promise<PartResult[]> => {
  const ctx = Context.current();
  const scanner = new RowScanner(input.format === 'csv');
  const done: PartResult[] = [];
  let sink: PartSink | undefined;
  let header: Buffer | null = input.format === 'csv' ? null : Buffer.alloc(0);
  let pendingHeader: Buffer[] = [];
  const stopHeartbeat = keepHeartbeating(ctx, () => ({
    rows: done.reduce((n, p) => n + p.rows, 0) + (sink?.rows ?? 0),
    bytes: done.reduce((n, p) => n + p.bytes, 0) + (sink?.bytesWritten() ?? 0),
  }));
  const usage = deps.meter.start();
  const close = async (s: PartSink) => done.push({ ...(await s.finish()), index: done.length, rows: s.rows, attempt: ctx.info.attempt, cpuMs: 0, peakRssBytes: 0 });
  const open = async () => {
    const s = newSink(deps, input, done.length, ctx.cancellationSignal);
    await s.write(header ?? Buffer.alloc(0));
    return s;
  };
  let copy: Awaited<ReturnType<typeof openCopy>> | undefined;
  try {
    copy = await openCopy(deps, input, ctx.cancellationSignal);
    for await (const data of copy.output) {
      let chunk = data as Buffer;
      if (header === null) {
        const { rows, end } = scanner.scan(chunk, 0, 1);
        pendingHeader.push(rows ? chunk.subarray(0, end) : chunk);
        if (!rows) continue;
        header = Buffer.concat(pendingHeader);
        pendingHeader = [];
        chunk = chunk.subarray(end);
      }
      let pos = 0;
      while (pos < chunk.length) {
        sink ??= await open();
        const want = input.partRows - sink.rows;
        const { rows, end } = scanner.scan(chunk, pos, want);
        const cut = rows === want ? end : chunk.length;
        await sink.write(chunk.subarray(pos, cut));
        sink.rows += rows;
        pos = cut;
        if (sink.rows === input.partRows) {
          await close(sink);
          sink = undefined;
        }
      }
    }
    await copy.session.commit(); // release the source connection before waiting on storage
    if (sink || done.length === 0) await close(sink ?? (await open()));
    sink = undefined;
    const total = done.reduce((n, p) => n + p.rows, 0);
    if (total !== copy.rowCount()) throw new Error(`cut ${total} rows into parts but COPY reported ${copy.rowCount()}`);
    await removeStaleParts(deps, input, done);
    // One stream made all the parts: its usage is spread over them.
    const { cpuMs, peakRssBytes } = deps.meter.stop(usage);
    return done.map((p) => ({ ...p, cpuMs: Math.round(cpuMs / done.length), peakRssBytes }));
  } catch (err) {
    copy?.session.close(err as Error);
    await sink?.abort();
    deps.meter.stop(usage);
    throw toActivityFailure(err);
  } finally {
    stopHeartbeat();
  }
};

const removeStaleParts = (deps: ExtractDeps, input: ReadInput, parts: PartResult[]) =>
  deletePrefix(deps.s3, deps.bucket, `${jobPrefix(input.tenantId, input.jobId)}part-`, new Set(parts.map((p) => p.key)));
