// Progress as the workflow counts it, and the view a user sees (percent, rates).
export interface ExtractionProgress {
  rowsDone: number;
  rowsEstimated: number | null;
  bytesDone: number;
  partsDone: number;
  partsTotal: number | null;
}

export const emptyProgress = (): ExtractionProgress => ({ rowsDone: 0, rowsEstimated: null, bytesDone: 0, partsDone: 0, partsTotal: null });

export interface ProgressView extends ExtractionProgress {
  percent: number;
  rowsPerSecond: number | null;
  bytesPerSecond: number | null;
}

// `elapsedMs` is running time. Percent stays below 100 until the job is complete: an estimate can be low.
export function progressView(p: ExtractionProgress, complete: boolean, elapsedMs: number | null): ProgressView {
  let percent: number;
  if (complete) percent = 100;
  else {
    // A single-stream job has a row estimate but no part count until it ends.
    const byRows = p.rowsEstimated && p.rowsEstimated > 0 ? (p.rowsDone / p.rowsEstimated) * 100 : 0;
    const byParts = p.partsTotal ? (p.partsDone / p.partsTotal) * 100 : 0;
    percent = Math.max(byRows, byParts);
  }
  if (!complete) percent = Math.min(99, percent);
  const seconds = elapsedMs && elapsedMs > 0 ? elapsedMs / 1000 : null;
  return {
    ...p,
    percent: Math.round(percent * 10) / 10,
    rowsPerSecond: seconds ? Math.round(p.rowsDone / seconds) : null,
    bytesPerSecond: seconds ? Math.round(p.bytesDone / seconds) : null,
  };
}
