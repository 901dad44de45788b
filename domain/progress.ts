// Progress as the workflow counts it, and the view a user sees (percent, rates, ETA). Its shape is defined with
// the job's state (extraction-job.ts); this module stays free of zod, as workflow code imports it.
import type { ExtractionProgress, ExtractionSnapshot, RateSample } from './extraction-job';

export type { ExtractionProgress, RateSample };

export const MAX_RATE_SAMPLES = 20;
export const RATE_WINDOW_MS = 60_000;

export { emptyProgress } from './new-run';

export const activeMsAt = (p: ExtractionProgress, nowMs: number): number =>
  p.activeMs + (p.runningSince ? Math.max(0, nowMs - Date.parse(p.runningSince)) : 0);

export function addSample(p: ExtractionProgress, nowMs: number): void {
  p.samples = [...p.samples, { activeMs: activeMsAt(p, nowMs), rows: p.rowsDone }].slice(-MAX_RATE_SAMPLES);
}

/** Rows per second since the oldest point within the window (the start counts), else the newest older one. */
export function recentRowRate(samples: RateSample[], current: RateSample, windowMs = RATE_WINDOW_MS): number | null {
  const earlier = [{ activeMs: 0, rows: 0 }, ...samples].filter((s) => s.activeMs < current.activeMs);
  const base = earlier.find((s) => current.activeMs - s.activeMs <= windowMs) ?? earlier[earlier.length - 1];
  if (!base) return null;
  const seconds = (current.activeMs - base.activeMs) / 1000;
  const rate = seconds > 0 ? (current.rows - base.rows) / seconds : 0;
  return rate > 0 ? rate : null;
}

export interface Eta {
  at: string;
  remainingSeconds: number;
  /** The total is an estimate (EXPLAIN, or finished parts projected to all parts), so the ETA is too. */
  estimated: true;
}

// Only while running. The total is the larger of the estimate and finished parts projected to all parts.
export function estimateCompletion(p: ExtractionProgress, nowMs: number): Eta | null {
  if (!p.runningSince) return null;
  const projected = p.partsTotal && p.partsDone ? (p.rowsDone / p.partsDone) * p.partsTotal : 0;
  const total = Math.max(p.rowsEstimated ?? 0, projected);
  const rate = recentRowRate(p.samples, { activeMs: activeMsAt(p, nowMs), rows: p.rowsDone });
  if (p.partsTotal && p.partsDone >= p.partsTotal) return etaIn(0, nowMs); // only the manifest is left
  if (!total || !rate) return null;
  return etaIn(Math.max(0, total - p.rowsDone) / rate, nowMs);
}

function etaIn(seconds: number, nowMs: number): Eta {
  const remainingSeconds = Math.round(seconds);
  return { at: new Date(nowMs + remainingSeconds * 1000).toISOString(), remainingSeconds, estimated: true };
}

export interface ProgressView {
  percent: number;
  rowsDone: number;
  rowsEstimated: number | null;
  bytesDone: number;
  partsDone: number;
  partsTotal: number | null;
  rowsPerSecond: number | null;
  bytesPerSecond: number | null;
}

// `elapsedMs` is running time. Percent stays below 100 until the job is complete: an estimate can be low.
export function progressView(p: ExtractionProgress, complete: boolean, elapsedMs: number | null): ProgressView {
  const rowsPercent = p.rowsEstimated && p.rowsEstimated > 0 ? (p.rowsDone / p.rowsEstimated) * 100 : 0;
  const partsPercent = p.partsTotal ? (p.partsDone / p.partsTotal) * 100 : 0;
  const percent = complete ? 100 : Math.min(99, Math.max(rowsPercent, partsPercent));
  const seconds = elapsedMs && elapsedMs > 0 ? elapsedMs / 1000 : null;
  return {
    percent: Math.round(percent * 10) / 10,
    rowsDone: p.rowsDone,
    rowsEstimated: p.rowsEstimated,
    bytesDone: p.bytesDone,
    partsDone: p.partsDone,
    partsTotal: p.partsTotal,
    rowsPerSecond: seconds ? Math.round(p.rowsDone / seconds) : null,
    bytesPerSecond: seconds ? Math.round(p.bytesDone / seconds) : null,
  };
}

/** What a running run's parts report (store/part-progress.ts totals), as far as the view needs it. */
export interface LiveCounts {
  rows: number;
  bytes: number;
  partsDone: number;
}

// Rows and bytes of parts in flight count as they move; what the workflow has counted never goes back.
export function liveProgress(s: Pick<ExtractionSnapshot, 'progress' | 'state'>, live: LiveCounts | null): ExtractionProgress {
  const p = s.progress;
  if (!live || s.state !== 'Running') return p;
  return { ...p, rowsDone: Math.max(p.rowsDone, live.rows), bytesDone: Math.max(p.bytesDone, live.bytes), partsDone: Math.max(p.partsDone, live.partsDone) };
}
