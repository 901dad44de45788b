// A selection that cannot be split (a query, or an order no key range keeps) runs as one COPY, cut into part
// files at row boundaries every `partRows` rows. CSV parts each start with the header.
//
// Resuming: the heartbeats carry the parts already uploaded, the rows they hold and a SHA-256 of the last row of
// the last one. A retried attempt (the worker died, the connection broke) keeps those parts and reads only the
// rows after them: `SELECT … OFFSET n-1`, one row early, so that it first reads the last row it already has
// again and checks it against the hash (the seam). That is exact when the selection returns the same rows in the
// same order on both reads: the session turns off what makes order vary between two reads of unchanged rows
// (synchronize_seqscans, parallel plans; see ReadSession's stableOrder), and a query's ORDER BY must be total
// (ties may come in either order). It is not one snapshot: each attempt reads at its own time, like the parts of
// a split job. Rows inserted, deleted or reordered before the resume point between the two reads shift the seam;
// when the seam row differs, the attempt drops the parts it kept and reads the whole selection again from the
// start (overwriting the same keys). A change that leaves the seam row where it was (one row deleted and one
// inserted before it, say) is not noticed. The source still reads the skipped rows to count them off: a resumed
// attempt saves the upload and the encoding of what it skips, not the source's work.
import { Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { PartResult } from '../../domain/extraction-job';
import { partKey, runPrefix, type ReadSpec } from '../../domain/plan';
import { partReadyEvent } from '../../domain/running-job-events';
import { RowScanner } from '../../connectors/postgres/row-scanner';
import { deletePrefix } from '../../connectors/s3/objects';
import type { ExtractDeps } from './deps';
import { toActivityFailure } from './failure';
import { PartTracker, type PartHeartbeat } from './heartbeat';
import { explainLockTimeout, newSink, openCopy, tableOf, type RunRef } from './read';
import type { PartSink } from './part-sink';
import type { SpecCache } from './spec';

export interface StreamInput {
  jobId: string;
  tenantId: string;
  run: number;
  partRows: number;
}

/** A stream's heartbeat: cumulative rows and bytes, and what a retried attempt resumes from. */
export interface StreamHeartbeat extends PartHeartbeat {
  /** The parts uploaded so far, in order. */
  parts: PartResult[];
  /** The rows they hold: where a retried attempt resumes. */
  partsRows: number;
  /** SHA-256 of the last row of the last part, as the COPY sent it (null with no parts). */
  lastRowSha256: string | null;
}

const EMPTY = Buffer.alloc(0);
const sha256 = (row: Buffer[]) => row.reduce((h, b) => h.update(b), createHash('sha256')).digest('hex');
const sum = (parts: PartResult[], of: (p: PartResult) => number) => parts.reduce((n, p) => n + of(p), 0);

// The parts a previous attempt reported, if they are this run's and can be resumed from.
export function resumePoint(details: unknown, keyOf: (index: number) => string): { parts: PartResult[]; lastRowSha256: string } | null {
  const d = details as Partial<StreamHeartbeat> | null | undefined;
  if (!d || !Array.isArray(d.parts) || !d.parts.length || typeof d.lastRowSha256 !== 'string') return null;
  const ok = d.parts.every((p, i) => p && p.index === i && p.key === keyOf(i) && Number.isSafeInteger(p.rows) && p.rows > 0);
  return ok && sum(d.parts, (p) => p.rows) === d.partsRows ? { parts: d.parts, lastRowSha256: d.lastRowSha256 } : null;
}

export const extractStream = (deps: ExtractDeps, specs: SpecCache) => async (input: StreamInput): Promise<PartResult[]> => {
  const ctx = Context.current();
  const ref: RunRef = input;
  let done: PartResult[] = [];
  let lastRowSha256: string | null = null;
  let sink: PartSink | undefined;
  const tracker = new PartTracker(deps, ctx, { jobId: input.jobId, tenantId: input.tenantId, run: input.run, part: 0 }, (): Omit<StreamHeartbeat, 'waiting'> => ({
    rows: sum(done, (p) => p.rows) + (sink?.rows ?? 0),
    bytes: sum(done, (p) => p.bytes) + (sink?.bytesWritten() ?? 0),
    parts: [...done], // a copy: the heartbeat may be serialized after more parts are done
    partsRows: sum(done, (p) => p.rows),
    lastRowSha256,
  }));
  const usage = deps.meter.start();
  let copy: Awaited<ReturnType<typeof openCopy>> | undefined;
  let spec: ReadSpec | undefined;

  const open = async (header: Buffer) => {
    const s = newSink(deps, ref, spec!, done.length, ctx.cancellationSignal);
    await s.write(header);
    return s;
  };
  // A file is kept (and in the heartbeat a retry resumes from) only once its job.part_ready event is written.
  const close = async (s: PartSink, lastRow: string | null) => {
    const stored = await s.finish();
    const part: PartResult = { ...stored, index: done.length, rows: s.rows, attempt: ctx.info.attempt, cpuMs: 0, peakRssBytes: 0 };
    const counts = { rows: sum(done, (p) => p.rows) + part.rows, bytes: sum(done, (p) => p.bytes) + part.bytes };
    await tracker.fileReady(counts, partReadyEvent(input, part));
    done.push(part);
    lastRowSha256 = lastRow;
  };

  // One COPY of the selection, from after the parts in `done`; 'seam-moved' when the row before them is no
  // longer the one they end with.
  const readCopy = async (spec: ReadSpec): Promise<'done' | 'seam-moved'> => {
    const seam = done.length ? lastRowSha256 : null;
    const kept = done.length;
    const scanner = new RowScanner(spec.format === 'csv');
    let header: Buffer | null = spec.format === 'csv' ? null : EMPTY;
    let pendingHeader: Buffer[] = [];
    let carry: Buffer[] = []; // the start of an unfinished row, from earlier chunks
    let lastRow: Buffer[] = []; // the last whole row read
    let seamPending = seam !== null;
    copy = await openCopy(deps, ref, spec, ctx.cancellationSignal, { offset: seam ? sum(done, (p) => p.rows) - 1 : 0, onSession: (s) => (tracker.session = s) });
    for await (const data of copy.output) {
      const chunk = data as Buffer;
      let pos = 0;
      if (header === null) {
        const { rows, end } = scanner.scan(chunk, 0, 1);
        pendingHeader.push(rows ? chunk.subarray(0, end) : chunk);
        if (!rows) continue;
        header = Buffer.concat(pendingHeader);
        pendingHeader = [];
        pos = end;
      }
      if (seamPending && pos < chunk.length) {
        const { rows, end } = scanner.scan(chunk, pos, 1);
        if (!rows) {
          carry.push(chunk.subarray(pos));
          continue;
        }
        const row = [...carry, chunk.subarray(pos, end)];
        carry = [];
        if (sha256(row) !== seam) return 'seam-moved';
        seamPending = false;
        pos = end;
      }
      while (pos < chunk.length) {
        sink ??= await open(header);
        const want = input.partRows - sink.rows;
        const { rows, end } = scanner.scan(chunk, pos, want);
        const { lastStart } = scanner;
        if (rows) {
          lastRow = lastStart === pos ? [...carry, chunk.subarray(pos, end)] : [chunk.subarray(lastStart, end)];
          carry = [];
        }
        const cut = rows === want ? end : chunk.length;
        if (cut > end) carry.push(chunk.subarray(end, cut));
        await sink.write(chunk.subarray(pos, cut));
        sink.rows += rows;
        pos = cut;
        if (sink.rows === input.partRows) {
          await close(sink, sha256(lastRow));
          sink = undefined;
        }
      }
    }
    if (seamPending) return 'seam-moved'; // the selection now ends before the rows already read
    await copy.session.commit(); // release the source connection before waiting on storage
    if (sink || done.length === 0) await close(sink ?? (await open(header ?? EMPTY)), lastRow.length ? sha256(lastRow) : lastRowSha256);
    sink = undefined;
    const read = sum(done.slice(kept), (p) => p.rows) + (seam ? 1 : 0);
    if (read !== copy.rowCount()) throw new Error(`cut ${read} rows into parts but COPY reported ${copy.rowCount()}`);
    return 'done';
  };

  try {
    const loaded = (spec = await specs.get(input.jobId, input.run));
    const resumed = resumePoint(ctx.info.heartbeatDetails, (i) => partKey(input.tenantId, input.jobId, input.run, i, loaded.format, loaded.compression));
    if (resumed) [done, lastRowSha256] = [resumed.parts, resumed.lastRowSha256];
    tracker.begin({ rows: sum(done, (p) => p.rows), bytes: sum(done, (p) => p.bytes) });
    if ((await readCopy(spec)) === 'seam-moved') {
      ctx.log.warn('the rows before the resume point changed since they were read: reading the whole selection again', { kept: done.length });
      copy!.session.close(new Error('seam moved'));
      done = [];
      lastRowSha256 = null;
      await readCopy(spec);
    }
    await removeStaleParts(deps, ref, done);
    await tracker.succeeded({ rows: sum(done, (p) => p.rows), bytes: sum(done, (p) => p.bytes) });
    // One stream made all the parts: its usage is spread over them.
    const { cpuMs, peakRssBytes } = deps.meter.stop(usage);
    return done.map((p) => ({ ...p, cpuMs: Math.round(cpuMs / done.length), peakRssBytes }));
  } catch (err) {
    copy?.session.close(err as Error);
    await sink?.abort();
    deps.meter.stop(usage);
    const failure = toActivityFailure(explainLockTimeout(err, deps, tracker.session, spec ? tableOf(spec) : null));
    await tracker.failed(failure);
    throw failure;
  }
};

// Parts beyond the last one, left by an attempt that cut the rows differently (a source that changed).
const removeStaleParts = (deps: ExtractDeps, ref: RunRef, parts: PartResult[]) =>
  deletePrefix(deps.s3, deps.bucket, `${runPrefix(ref.tenantId, ref.jobId, ref.run)}part-`, new Set(parts.map((p) => p.key)));
