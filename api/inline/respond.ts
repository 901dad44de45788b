// What an extraction's response says about how it was answered: `Sluice-*` headers on every answer, the
// body of an inline 200, and the problem when mode "inline" cannot answer.
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import type { ExtractionRequest } from '../../domain/extraction-request';
import type { DecisionRule, InlineLimits, OverrunRule, Seen, SizeEstimate } from '../../domain/inline-decision';
import { contentType } from '../../domain/plan';
import { Problem } from '../problem';

/** Why a request was answered as it was: the `decision` of a job's 202, and the extra of a refusal. */
export interface DecisionReport {
  rule: DecisionRule | OverrunRule;
  estimate: SizeEstimate | null;
  limits: InlineLimits;
  /** What an inline answer saw before it stopped or ended. */
  seen?: Seen;
}

export function decisionHeaders(mode: 'inline' | 'job', r: DecisionReport): Record<string, string> {
  const headers: Record<string, string> = { 'Sluice-Mode': mode, 'Sluice-Rule': r.rule };
  if (r.estimate) {
    headers['Sluice-Estimated-Rows'] = String(r.estimate.rows);
    headers['Sluice-Estimated-Bytes'] = String(r.estimate.bytes);
    headers['Sluice-Estimated-Cost'] = String(r.estimate.cost);
  }
  if (r.seen) {
    headers['Sluice-Rows'] = String(r.seen.rows);
    headers['Sluice-Bytes'] = String(r.seen.bytes);
  }
  return headers;
}

// The body comes as answerInline held it: compressed when the request asks for `compression: "gzip"` (the
// default) or "zstd". On the wire that is a content coding (`Content-Encoding: gzip` or `zstd`), and HTTP allows it
// only to a client that accepts it (`Accept-Encoding`, as browsers, fetch and `curl --compressed` send): the type
// still says what the rows are and the client decodes them. A client that does not accept it (plain curl) gets the
// rows decoded here, readable. `compression: "none"` is never encoded. Content-Length is always exact: the held
// bytes, or the bytes before compression that the answer counted.
export async function sendAnswer(res: Response, request: ExtractionRequest, body: Buffer[], report: DecisionReport & { seen: Seen }): Promise<void> {
  res.status(200).set(decisionHeaders('inline', report)).type(contentType(request.format, 'none'));
  const coding = request.compression === 'gzip' || request.compression === 'zstd' ? request.compression : null;
  if (coding) res.vary('Accept-Encoding');
  const encoded = coding !== null && accepts(res, coding);
  const decode = coding !== null && !encoded;
  if (encoded) res.set('Content-Encoding', coding);
  res.set('Content-Length', String(decode ? report.seen.bytes : body.reduce((n, chunk) => n + chunk.length, 0)));
  const decoder = coding === 'zstd' ? createZstdDecompress : createGunzip;
  const stages = decode ? ([Readable.from(body), decoder(), res] as const) : ([Readable.from(body), res] as const);
  // A client that leaves mid-answer ends the pipeline with an error there is no one to tell.
  await pipeline(stages).catch(() => undefined);
}

/** Whether the client takes `Content-Encoding: <coding>` (negotiated as Express does; no Accept-Encoding: no). */
export const accepts = (res: Response, coding: 'gzip' | 'zstd'): boolean => res.req.acceptsEncodings(coding) === coding;

type Refusal = Exclude<DecisionReport['rule'], 'job_requested' | 'within_limits'>;

const TOO_LARGE = { status: 413, title: 'Too large to answer inline', hint: 'use mode "auto" (a job when the answer is large) or "job", or select less' };
const REFUSALS: Record<Refusal, { status: number; title: string; hint: string; detail: (r: DecisionReport) => string }> = {
  rows_over_limit: { ...TOO_LARGE, detail: (r) => `the estimate is ${r.estimate!.rows} rows, over the inline limit of ${r.limits.maxRows}` },
  bytes_over_limit: { ...TOO_LARGE, detail: (r) => `the estimate is ${r.estimate!.bytes} bytes, over the inline limit of ${r.limits.maxBytes}` },
  cost_over_limit: { ...TOO_LARGE, detail: (r) => `the planner's cost is ${r.estimate!.cost}, over the inline limit of ${r.limits.maxCost}` },
  actual_rows_over_limit: { ...TOO_LARGE, detail: (r) => `the answer passed the inline limit of ${r.limits.maxRows} rows (estimated: ${r.estimate!.rows})` },
  actual_bytes_over_limit: { ...TOO_LARGE, detail: (r) => `the answer passed the inline limit of ${r.limits.maxBytes} bytes (estimated: ${r.estimate!.bytes})` },
  inline_timeout: {
    status: 504, title: 'Inline answer timed out', hint: 'use mode "auto" or "job"; a job has no such limit',
    detail: (r) => `the answer was not complete within ${r.limits.timeoutMs} ms`,
  },
  inline_capacity_saturated: {
    status: 503, title: 'Inline answers busy', hint: 'retry after a moment, or use mode "auto" or "job"',
    detail: (r) => `${r.limits.maxConcurrent} inline answers are in progress, the most this server gives at once`,
  },
  tenant_inline_limit: {
    status: 429, title: 'Too many inline answers', hint: 'wait for one to end (GET /v1/limits shows yours), or use mode "auto" or "job"',
    detail: () => "this tenant's inline answers in progress are at its limit",
  },
  source_unavailable: {
    status: 503, title: 'Source unavailable', hint: 'retry later, or use mode "job": a job retries until the source is back',
    detail: () => 'the source could not be reached, or failed while answering',
  },
  format_needs_job: {
    status: 400, title: 'Invalid request', hint: 'inline answers are csv or ndjson; use mode "auto" or "job" for this format',
    detail: () => 'this format is delivered as files only',
  },
};

/** The problem for mode "inline" when it cannot answer; 413 and 504 carry the estimate and what was seen. */
export function refusal(r: DecisionReport): Problem {
  const kind = REFUSALS[r.rule as Refusal];
  const detail = kind.detail(r);
  const field = r.rule === 'format_needs_job' ? 'format' : 'mode';
  const headers: Record<string, string> = kind.status === 503 || kind.status === 429 ? { 'Retry-After': '1' } : {};
  return new Problem(kind.status, kind.title, detail, { ...r, errors: [{ field, message: detail, hint: kind.hint }] }, headers);
}
