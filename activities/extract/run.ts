// extractRun: the activity that extracts a key range (one part, `range` given) or a whole selection that cannot
// be split (a query, or an order no key range keeps) as one COPY, cut into part files at row boundaries every
// `partRows` rows. CSV parts each start with the header.
//
// Resuming a whole selection: the heartbeats carry the parts already uploaded, the rows they hold and a SHA-256 of
// the last row of the last one. A retried attempt (the worker died, the connection broke) keeps those parts and
// reads only the rows after them: `SELECT … OFFSET n-1`, one row early, so that it first reads the last row it
// already has again and checks it against the hash (the seam). That is exact when the selection returns the same
// rows in the same order on both reads: the session turns off what makes order vary between two reads of unchanged
// rows (synchronize_seqscans, parallel plans; see ReadSession's stableOrder), and a query's ORDER BY must be total
// (ties may come in either order). It is not one snapshot: each attempt reads at its own time, like the parts of a
// split job. Rows inserted, deleted or reordered before the resume point between the two reads shift the seam;
// when the seam row differs, the attempt drops the parts it kept and reads the whole selection again from the
// start (overwriting the same keys). A change that leaves the seam row where it was (one row deleted and one
// inserted before it, say) is not noticed. The source still reads the skipped rows to count them off: a resumed
// attempt saves the upload and the encoding of what it skips, not the source's work.
import { Context } from '@temporalio/activity';
import type { PartResult } from '../../domain/extraction-job';
import { partKey, runPrefix, type PartRange, type ReadSpec } from '../../domain/plan';
import { deletePrefix } from '../../connectors/s3/objects';
import type { ExtractDeps } from './deps';
import { extractParts, sum, type ExtractHeartbeat } from './extract-parts';
import type { RunRef } from './read';
import type { SpecCache } from './spec';

export interface RunInput extends RunRef {
  /** The first part's index: a key range's own; 0 for a whole selection. */
  firstIndex: number;
  /** A key range's bounds; absent, the whole selection. */
  range?: PartRange;
  /** A part ends after this many rows; absent, one part (Infinity does not go through JSON). */
  partRows?: number;
}

// The parts a previous attempt reported, if they are this run's and can be resumed from.
export function resumePoint(details: unknown, keyOf: (index: number) => string): { parts: PartResult[]; lastRowSha256: string } | null {
  const d = details as Partial<ExtractHeartbeat> | null | undefined;
  if (!d || !Array.isArray(d.parts) || !d.parts.length || typeof d.lastRowSha256 !== 'string') return null;
  const ok = d.parts.every((p, i) => p && p.index === i && p.key === keyOf(i) && Number.isSafeInteger(p.rows) && p.rows > 0);
  return ok && sum(d.parts, (p) => p.rows) === d.partsRows ? { parts: d.parts, lastRowSha256: d.lastRowSha256 } : null;
}

export const extractRun = (deps: ExtractDeps, specs: SpecCache) => async (input: RunInput): Promise<PartResult[]> => {
  const ctx = Context.current();
  const { firstIndex, range, partRows = Infinity, ...ref } = input;
  if (range) return extractParts(deps, specs, ctx, { ...ref, firstIndex, range, partRows });
  const resume = (spec: ReadSpec) => resumePoint(ctx.info.heartbeatDetails, (i) => partKey(ref.tenantId, ref.jobId, ref.run, i, spec.format, spec.compression));
  const parts = await extractParts(deps, specs, ctx, { ...ref, firstIndex, partRows, resume });
  await removeStaleParts(deps, ref, parts);
  return parts;
};

// Parts beyond the last one, left by an attempt that cut the rows differently (a source that changed).
const removeStaleParts = (deps: ExtractDeps, ref: RunRef, parts: PartResult[]) =>
  deletePrefix(deps.s3, deps.bucket, `${runPrefix(ref.tenantId, ref.jobId, ref.run)}part-`, new Set(parts.map((p) => p.key)));
