// Whether an extraction is answered inline (its rows in the response body) or becomes a job. Pure: the API
// brings the planner's estimate, the limits, and how many inline answers this process has in progress.
import type { ExtractionRequest, Format } from './extraction-request';

export interface SizeEstimate {
  rows: number;
  /** Bytes of the answer in its format, before compression. */
  bytes: number;
  /** The planner's total cost of the statement, in its units (seq_page_cost = 1). */
  cost: number;
}

export interface InlineLimits {
  maxRows: number;
  maxBytes: number;
  maxCost: number;
  /** Inline answers in progress at once in one API process. */
  maxConcurrent: number;
  /** The longest an inline answer may take, waiting for a connection included. */
  timeoutMs: number;
}

/** What an inline answer saw of its output. */
export interface Seen {
  rows: number;
  bytes: number;
}

export const INLINE_FORMATS: readonly Format[] = ['csv', 'ndjson'];

export type DecisionRule =
  | 'job_requested'
  | 'format_needs_job'
  | 'source_unavailable'
  | 'rows_over_limit'
  | 'bytes_over_limit'
  | 'cost_over_limit'
  | 'inline_capacity_saturated'
  | 'tenant_inline_limit'
  | 'within_limits';

/** Found while answering: the estimate was wrong, or the source too slow. */
export type OverrunRule = 'actual_rows_over_limit' | 'actual_bytes_over_limit' | 'inline_timeout';

export interface Decision {
  mode: 'inline' | 'job' | 'refuse';
  rule: DecisionRule;
}

export interface DecisionInput {
  mode: ExtractionRequest['mode'];
  format: Format;
  /** null when the source could not be asked. */
  estimate: SizeEstimate | null;
  limits: InlineLimits;
  inlineInUse: number;
  /** The tenant's inline answers in progress on this API process, and how many it may have. */
  tenantInline: { inUse: number; limit: number };
}

// "auto" turns whatever stands in the way of an inline answer into a job; "inline" refuses it.
export function decide(i: DecisionInput): Decision {
  if (i.mode === 'job') return { mode: 'job', rule: 'job_requested' };
  const obstacle = inlineObstacle(i);
  if (!obstacle) return { mode: 'inline', rule: 'within_limits' };
  return { mode: i.mode === 'auto' ? 'job' : 'refuse', rule: obstacle };
}

// Size first, capacity last (the tenant's own before the server's): a request too large is told so, not told to
// come back later.
function inlineObstacle({ format, estimate, limits, inlineInUse, tenantInline }: DecisionInput): DecisionRule | null {
  if (!INLINE_FORMATS.includes(format)) return 'format_needs_job';
  if (!estimate) return 'source_unavailable';
  if (estimate.rows > limits.maxRows) return 'rows_over_limit';
  if (estimate.bytes > limits.maxBytes) return 'bytes_over_limit';
  if (estimate.cost > limits.maxCost) return 'cost_over_limit';
  if (tenantInline.inUse >= tenantInline.limit) return 'tenant_inline_limit';
  if (inlineInUse >= limits.maxConcurrent) return 'inline_capacity_saturated';
  return null;
}

/** The limit the output of an inline answer has crossed so far, if any. */
export function overrun(seen: Seen, limits: InlineLimits): OverrunRule | null {
  if (seen.rows > limits.maxRows) return 'actual_rows_over_limit';
  if (seen.bytes > limits.maxBytes) return 'actual_bytes_over_limit';
  return null;
}

// The planner gives rows and their average width (binary widths: a bigint counts 8, a timestamp 8). The
// answer adds its format's punctuation: CSV a comma or newline after each value and the header line; NDJSON
// per row the braces and newline and per column its quoted name, colon and comma. Text forms wider than the
// binary ones (timestamps, quoted strings) are not counted: the running count of the answer catches those.
export function answerBytes(plan: { rows: number; bytes: number }, columns: string[], format: Format): number {
  const names = columns.reduce((n, c) => n + Buffer.byteLength(c), 0);
  if (format === 'ndjson') return plan.bytes + plan.rows * (names + 4 * columns.length + 2);
  return plan.bytes + plan.rows * columns.length + names + columns.length;
}
