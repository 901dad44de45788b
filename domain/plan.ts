// How an extraction is cut into parts, and what the parts are called. Pure arithmetic on catalog facts.
import type { Compression, Format } from './extraction-request';

export type SplitStrategy = 'key-range' | 'block-range' | 'single-stream';

// A half-open range [from, to). An absent bound is open, so the first and last parts also catch rows whose key
// lies outside the min/max seen at planning time (rows inserted meanwhile are then not lost).
export interface PartRange {
  from?: string;
  to?: string;
}

/** A part this small costs more in fixed work (its activity, session, upload and progress rows) than it saves. */
export const MIN_LANE_ROWS = 100_000;

/**
 * How many parts a splittable selection becomes: about `rowsPerPart` rows each (the size of file people asked
 * for), at most `maxParts`. When that would leave some of the job's `lanes` (parts run at once) idle, one part per
 * lane instead, as long as each still holds MIN_LANE_ROWS rows.
 */
export function partCount(estimatedRows: number, rowsPerPart: number, maxParts: number, lanes = 1): number {
  if (!(estimatedRows > 0)) return 1;
  const bySize = Math.ceil(estimatedRows / rowsPerPart);
  const byLanes = Math.min(lanes, Math.floor(estimatedRows / MIN_LANE_ROWS));
  return Math.max(1, Math.min(maxParts, Math.max(bySize, byLanes)));
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

// Parquet compresses inside the file, page by page, so a Parquet part has no .gz or .zst around it.
const COMPRESSED_SUFFIX: Partial<Record<Compression, string>> = { gzip: '.gz', zstd: '.zst' };
export const fileExtension = (format: Format, compression: Compression): string =>
  `${format}${format === 'parquet' ? '' : (COMPRESSED_SUFFIX[compression] ?? '')}`;

export const partFileName = (index: number, format: Format, compression: Compression): string =>
  `part-${String(index + 1).padStart(5, '0')}.${fileExtension(format, compression)}`;

export function contentType(format: Format, compression: Compression): string {
  if (format === 'parquet') return 'application/vnd.apache.parquet';
  if (compression === 'gzip') return 'application/gzip';
  if (compression === 'zstd') return 'application/zstd';
  return format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
}

// Every run of a job (its first start and each restart) writes under a prefix of its own, so removing one run's
// files (its expiry, a cancel) can never touch a newer run's.
export const jobPrefix = (tenantId: string, jobId: string): string => `tenants/${tenantId}/jobs/${jobId}/`;
export const runPrefix = (tenantId: string, jobId: string, run: number): string => `${jobPrefix(tenantId, jobId)}runs/${run}/`;
export const manifestKey = (tenantId: string, jobId: string, run: number): string => `${runPrefix(tenantId, jobId, run)}manifest.json`;
export const partKey = (tenantId: string, jobId: string, run: number, index: number, format: Format, compression: Compression): string =>
  runPrefix(tenantId, jobId, run) + partFileName(index, format, compression);

// What the planner resolved against the source catalog. Serializable: it travels through workflow history
// (names, types and filter values only; never rows).
export interface ColumnInfo {
  name: string;
  type: string; // format_type() of the column, e.g. "timestamp with time zone"
  /** Declared digits of a numeric(precision, scale) column; absent for an unconstrained numeric and other types. */
  precision?: number;
  scale?: number;
}

export interface ResolvedFilter {
  column: string;
  type: string;
  op: import('./extraction-request').FilterOperator;
  value?: string | number | boolean | (string | number | boolean)[];
}

export type SelectSpec =
  | {
      kind: 'table';
      schema: string;
      name: string;
      columns: ColumnInfo[];
      filter: ResolvedFilter[];
      orderBy: { column: string; direction: 'asc' | 'desc' }[];
      splitColumn?: ColumnInfo; // the integer primary key used for key ranges
    }
  | { kind: 'query'; query: string; columns: ColumnInfo[] };

// What a run reads and how it writes it, fixed when the run is planned. It is kept in Sluice's database for
// (job, run) (store/job-plans.ts), so part activities take only their range, never the request or the
// selection: workflow history grows with the parts, not with parts × the size of the request.
export interface ReadSpec {
  source: string;
  format: Format;
  compression: Compression;
  timeZone: string;
  select: SelectSpec;
  strategy: SplitStrategy;
}

// What planning returns to the workflow.
export interface PlannedExtraction {
  strategy: SplitStrategy;
  ranges: PartRange[]; // one per part; a single-stream plan has one open range and cuts parts as it goes
  estimatedRows: number;
  estimatedBytes: number;
  columns: ColumnInfo[];
}

export interface SplitFacts {
  relkind: string; // pg_class.relkind: r table, m materialized view, p partitioned, v view, f foreign
  splitColumn?: string;
  keyBounds: { min: string; max: string } | null;
  pages: number;
  orderBy: { column: string; direction: 'asc' | 'desc' }[];
}

// Parallel parts need a split that keeps the requested order across parts; otherwise one stream, cut as it goes.
export function chooseSplit(f: SplitFacts, parts: number): { strategy: SplitStrategy; ranges: PartRange[] } {
  const single = { strategy: 'single-stream' as const, ranges: [{}] };
  if (f.orderBy.length > 1 || (f.orderBy.length === 1 && f.orderBy[0].column !== f.splitColumn)) return single;
  if (f.splitColumn) {
    if (!f.keyBounds) return { strategy: 'key-range', ranges: [{}] };
    const ranges = splitKeyRange(BigInt(f.keyBounds.min), BigInt(f.keyBounds.max), parts);
    return { strategy: 'key-range', ranges: f.orderBy[0]?.direction === 'desc' ? ranges.reverse() : ranges };
  }
  if (f.orderBy.length === 0 && (f.relkind === 'r' || f.relkind === 'm')) return { strategy: 'block-range', ranges: splitBlocks(f.pages, parts) };
  return single;
}
