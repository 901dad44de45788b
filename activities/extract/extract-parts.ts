// What extractRun does for a key range and for a whole selection: one COPY cut into part files (a key range is a
// stream with one part). One set-up, one error path, and one place that counts: the rows of each file are
// the CopyData messages it got (copy-rows.ts), checked against COPY's own count at the end.
//
// A file is kept (and in the heartbeat a retry resumes from) only once its job.part_ready event is written.
// A retried key-range part writes the same key again, so a part is never duplicated nor lost; a retried stream
// resumes after the parts its last heartbeat lists (see run.ts).
import type { Context } from '@temporalio/activity';
import type { PartResult } from '../../domain/extraction-job';
import type { PartRange, ReadSpec } from '../../domain/plan';
import { partReadyEvent } from '../../domain/running-job-events';
import type { ExtractDeps } from './deps';
import { toActivityFailure } from './failure';
import { PartTracker, type PartHeartbeat } from './heartbeat';
import { PartCutter } from './part-cutter';
import { explainLockTimeout, newSink, openCopy, tableOf, type RunRef } from './read';
import type { SpecCache } from './spec';

/** A run's heartbeat: cumulative rows and bytes, and what a retried attempt resumes from (streams). */
export interface ExtractHeartbeat extends PartHeartbeat {
  /** The parts uploaded so far, in order. */
  parts: PartResult[];
  /** The rows they hold: where a retried stream resumes. */
  partsRows: number;
  /** SHA-256 of the last row of the last part, as the COPY sent it (null with no parts). */
  lastRowSha256: string | null;
}

export interface ExtractRun extends RunRef {
  /** The first part's index: a key range's own; 0 for a stream. */
  firstIndex: number;
  /** A key range's bounds; absent, the whole selection. */
  range?: PartRange;
  /** A part ends after this many rows; Infinity for a key range (one part). */
  partRows: number;
  /** Parts a previous attempt finished, to resume after (a stream's), with the SHA-256 of their last row: known
   * once the run's spec is (part keys name the format). */
  resume?: (spec: ReadSpec) => { parts: PartResult[]; lastRowSha256: string } | null;
}

export const sum = (parts: PartResult[], of: (p: PartResult) => number) => parts.reduce((n, p) => n + of(p), 0);

export async function extractParts(deps: ExtractDeps, specs: SpecCache, ctx: Context, run: ExtractRun): Promise<PartResult[]> {
  let done: PartResult[] = [];
  let lastRowSha256: string | null = null;
  let cutter: PartCutter | undefined;
  const tracker = new PartTracker(deps, ctx, { jobId: run.jobId, tenantId: run.tenantId, run: run.run, part: run.firstIndex }, (): Omit<ExtractHeartbeat, 'waiting'> => ({
    rows: sum(done, (p) => p.rows) + (cutter?.sink?.rows ?? 0),
    bytes: sum(done, (p) => p.bytes) + (cutter?.sink?.bytesWritten() ?? 0),
    parts: [...done], // a copy: the heartbeat may be serialized after more parts are done
    partsRows: sum(done, (p) => p.rows),
    lastRowSha256,
  }));
  const usage = deps.meter.start();
  let copy: Awaited<ReturnType<typeof openCopy>> | undefined;
  let spec: ReadSpec | undefined;

  // One COPY of the selection, from after the parts in `done`.
  const readCopy = async (spec: ReadSpec): Promise<'done' | 'seam-moved'> => {
    const seam = done.length ? lastRowSha256 : null;
    const kept = done.length;
    cutter = new PartCutter({
      header: spec.format === 'csv', partRows: run.partRows, seam,
      open: async (header) => {
        const sink = newSink(deps, run, spec, run.firstIndex + done.length, ctx.cancellationSignal);
        await sink.write(header);
        return sink;
      },
      close: async (sink, lastRow) => {
        const stored = await sink.finish();
        const part: PartResult = { ...stored, index: run.firstIndex + done.length, rows: sink.rows, attempt: ctx.info.attempt, cpuMs: 0, peakRssBytes: 0 };
        await tracker.fileReady({ rows: sum(done, (p) => p.rows) + part.rows, bytes: sum(done, (p) => p.bytes) + part.bytes }, partReadyEvent(run, part));
        done.push(part);
        lastRowSha256 = lastRow;
      },
    });
    const offset = seam ? sum(done, (p) => p.rows) - 1 : 0;
    copy = await openCopy(deps, run, spec, ctx.cancellationSignal, { range: run.range, offset, onSession: (s) => (tracker.session = s) });
    if ((await cutter.read(copy.rows)) === 'seam-moved') return 'seam-moved';
    await copy.session.commit(); // release the source connection before waiting on storage
    await cutter.closePart(done.length === 0);
    const read = sum(done.slice(kept), (p) => p.rows) + (seam ? 1 : 0);
    if (read !== copy.rowCount()) throw new Error(`cut ${read} rows into parts but COPY reported ${copy.rowCount()}`);
    return 'done';
  };

  try {
    spec = await specs.get(run.jobId, run.run);
    const resume = run.resume?.(spec);
    if (resume) ({ parts: done, lastRowSha256 } = resume);
    tracker.begin({ rows: sum(done, (p) => p.rows), bytes: sum(done, (p) => p.bytes) });
    if ((await readCopy(spec)) === 'seam-moved') {
      ctx.log.warn('the rows before the resume point changed since they were read: reading the whole selection again', { kept: done.length });
      copy!.session.close(new Error('seam moved'));
      done = [];
      lastRowSha256 = null;
      await readCopy(spec);
    }
    await tracker.succeeded({ rows: sum(done, (p) => p.rows), bytes: sum(done, (p) => p.bytes) });
    // One COPY made all the parts: its usage is spread over them.
    const { cpuMs, peakRssBytes } = deps.meter.stop(usage);
    return done.map((p) => ({ ...p, cpuMs: Math.round(cpuMs / done.length), peakRssBytes }));
  } catch (err) {
    copy?.session.close(err as Error);
    await cutter?.sink?.abort();
    deps.meter.stop(usage);
    const failure = toActivityFailure(explainLockTimeout(err, deps, tracker.session, spec ? tableOf(spec) : null));
    await tracker.failed(failure);
    throw failure;
  }
}
