// How an extraction is cut into parts, and what the parts are called. Pure arithmetic on catalog facts.
import type { Compression, Format } from './extraction-request';

export type SplitStrategy = 'key-range' | 'block-range' | 'single-stream';

// A half-open range [from, to). An absent bound is open, so the first and last parts also catch rows whose key
// lies outside the min/max seen at planning time (rows inserted meanwhile are then not lost).
export interface PartRange {
  from?: string;
  to?: string;
}

export function partCount(estimatedRows: number, rowsPerPart: number, maxParts: number): number {
  if (!(estimatedRows > 0)) return 1;
  return Math.max(1, Math.min(maxParts, Math.ceil(estimatedRows / rowsPerPart)));
}

// Splits the integer key space [min, max] into `parts` ranges of equal width.
export function splitKeyRange(min: bigint, max: bigint, parts: number): PartRange[] {
  const span = max - min + 1n;
  const n = BigInt(Math.max(1, Math.min(parts, Number(span > 0n ? span : 1n))));
  const bounds: bigint[] = [];
  for (let i = 1n; i < n; i++) bounds.push(min + (span * i) / n);
  return rangesFromBounds(bounds.map(String));
}

// Splits heap pages [0, pages) into `parts` block ranges (for ctid scans).
export function splitBlocks(pages: number, parts: number): PartRange[] {
  return splitKeyRange(0n, BigInt(Math.max(0, pages - 1)), parts);
}

function rangesFromBounds(bounds: string[]): PartRange[] {
  const ranges: PartRange[] = [];
  for (let i = 0; i <= bounds.length; i++) {
    const range: PartRange = {};
    if (i > 0) range.from = bounds[i - 1];
    if (i < bounds.length) range.to = bounds[i];
    ranges.push(range);
  }
  return ranges;
}

export const fileExtension = (format: Format, compression: Compression): string =>
  `${format}${compression === 'gzip' ? '.gz' : ''}`;

export const partFileName = (index: number, format: Format, compression: Compression): string =>
  `part-${String(index + 1).padStart(5, '0')}.${fileExtension(format, compression)}`;

export function contentType(format: Format, compression: Compression): string {
  if (compression === 'gzip') return 'application/gzip';
  return format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
}

export const jobPrefix = (tenantId: string, jobId: string): string => `tenants/${tenantId}/jobs/${jobId}/`;
