// The time range and step of GET /v1/syncs/:id/metrics?from=&to=&step=. A time is an ISO 8601 instant with its
// offset ("2026-03-01T12:00:00Z") or a duration before now ("-1h", "-90m", "-7d"; "now" for to); a step is a
// duration ("10s", "5m", "1h"). Defaults: the last hour, 10 s steps (coarser when that gives too many points).
import { z } from 'zod';
import { badRequest, fromZod } from './problem';

export const MAX_POINTS = 1000;
const MAX_RANGE_MS = 31 * 86_400_000;
const DEFAULT_RANGE_MS = 3_600_000;
const DEFAULT_STEP_SECONDS = 10;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d{1,7})([smhd])$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

const TIME_HINT = 'an ISO 8601 time with its offset, e.g. 2026-03-01T12:00:00Z, or a duration before now, e.g. -1h, -30m, -7d';

export const metricsRangeQuerySchema = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  step: z.string().max(20).optional(),
}).strict();

export interface MetricsRange {
  from: Date;
  to: Date;
  stepSeconds: number;
}

function durationMs(text: string): number | null {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : null;
}

function instant(field: 'from' | 'to', text: string, now: number): number {
  if (text === 'now') return now;
  const before = text.startsWith('-') ? durationMs(text.slice(1)) : null;
  if (before !== null) return now - before;
  const at = ISO_INSTANT.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) throw badRequest(field, `"${text}" is not a time`, TIME_HINT);
  return at;
}

export function parseMetricsRange(query: unknown, now = Date.now()): MetricsRange {
  const parsed = metricsRangeQuerySchema.safeParse(query);
  if (!parsed.success) throw fromZod(parsed.error, 'query');
  const q = parsed.data;
  const to = q.to === undefined ? now : instant('to', q.to, now);
  const from = q.from === undefined ? to - DEFAULT_RANGE_MS : instant('from', q.from, now);
  if (from >= to) throw badRequest('from', 'from must be before to', 'e.g. from=-1h&to=now');
  if (to - from > MAX_RANGE_MS) throw badRequest('from', 'the range is longer than 31 days', 'ask for 31 days or less at a time');
  const rangeSeconds = (to - from) / 1000;
  let stepSeconds = Math.max(DEFAULT_STEP_SECONDS, Math.ceil(rangeSeconds / MAX_POINTS));
  if (q.step !== undefined) {
    const ms = durationMs(q.step);
    if (ms === null || ms === 0) throw badRequest('step', `"${q.step}" is not a step`, 'a duration such as 10s, 5m or 1h');
    stepSeconds = ms / 1000;
    if (rangeSeconds / stepSeconds > MAX_POINTS) {
      throw badRequest('step', `a step of ${q.step} gives more than ${MAX_POINTS} points over this range`, `use a step of at least ${Math.ceil(rangeSeconds / MAX_POINTS)}s, or a shorter range`);
    }
  }
  return { from: new Date(from), to: new Date(to), stepSeconds };
}
