// The time window of one run of a schedule, and a request's placeholders for it. A run's window ends at its
// nominal time (the time it was due, without jitter) and starts at the schedule's fire time before that, so the
// runs of a schedule cover time without gaps or overlap, and a filter such as
//   {"column": "created_at", "op": "gte", "value": {"$runWindowStart": true}}
// pulls each row once: the common incremental export. A manual run's window ends when it was triggered. Pure.
import { CronExpressionParser } from 'cron-parser';
import type { ExtractionRequest, FilterCondition } from './extraction-request';

export const RUN_WINDOW_START = '$runWindowStart';
export const RUN_WINDOW_END = '$runWindowEnd';

export type RunWindowPlaceholder = { [RUN_WINDOW_START]: true } | { [RUN_WINDOW_END]: true };
type Scalar = string | number | boolean;
type ScheduledValue = Scalar | RunWindowPlaceholder | (Scalar | RunWindowPlaceholder)[];

/** An extraction request whose filter values may be placeholders for the run's window. */
export type ScheduledRequest = Omit<ExtractionRequest, 'filter'> & {
  filter?: (Omit<FilterCondition, 'value'> & { value?: ScheduledValue })[];
};

export interface RunWindow {
  /** ISO instants; start < end. */
  start: string;
  end: string;
}

/** A window to check a request with before it ever runs (placeholders become instants of the right type). */
export const RUN_WINDOW_PROBE: RunWindow = { start: '2000-01-01T00:00:00.000Z', end: '2000-01-02T00:00:00.000Z' };

function placeholder(value: unknown): 'start' | 'end' | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  if (keys.length !== 1 || (value as Record<string, unknown>)[keys[0]] !== true) return null;
  return keys[0] === RUN_WINDOW_START ? 'start' : keys[0] === RUN_WINDOW_END ? 'end' : null;
}

/** The request with each placeholder replaced by its instant; anything else is left as it is (and checked elsewhere). */
export function withRunWindow(request: ScheduledRequest, window: RunWindow): ExtractionRequest {
  if (!Array.isArray(request?.filter)) return request as ExtractionRequest;
  const resolve = (v: unknown) => {
    const which = placeholder(v);
    return which ? window[which] : v;
  };
  const filter = request.filter.map((c) =>
    typeof c === 'object' && c !== null && 'value' in c ? { ...c, value: Array.isArray(c.value) ? c.value.map(resolve) : resolve(c.value) } : c);
  return { ...request, filter } as ExtractionRequest;
}

export interface FireSpec {
  cron?: string;
  /** Seconds. */
  intervalSeconds?: number;
  timeZone: string;
}

/** The last time `spec` fires strictly before `at`. */
export function previousFireTime(spec: FireSpec, at: Date): Date {
  if (spec.intervalSeconds) {
    const every = spec.intervalSeconds * 1000;
    return new Date(Math.floor((at.getTime() - 1) / every) * every);
  }
  return CronExpressionParser.parse(spec.cron!, { currentDate: at, tz: spec.timeZone }).prev().toDate();
}

/** The window of the run due at `nominal`: from the fire time before it (a schedule's start bounds fire times, not windows). */
export function runWindow(spec: FireSpec, nominal: Date): RunWindow {
  return { start: previousFireTime(spec, nominal).toISOString(), end: nominal.toISOString() };
}

/** The next `count` fire times after `from`, within the schedule's bounds (without jitter). */
export function nextFireTimes(spec: FireSpec & { startAt?: string; endAt?: string }, from: Date, count: number): Date[] {
  const after = new Date(Math.max(from.getTime(), spec.startAt ? Date.parse(spec.startAt) - 1 : -Infinity));
  const end = spec.endAt ? Date.parse(spec.endAt) : Infinity;
  const times: Date[] = [];
  if (spec.intervalSeconds) {
    const every = spec.intervalSeconds * 1000;
    for (let t = (Math.floor(after.getTime() / every) + 1) * every; times.length < count && t <= end; t += every) times.push(new Date(t));
    return times;
  }
  // cron-parser's next() moves a time the spring DST change skips to the hour after it and fires a time the autumn
  // change repeats once; Temporal, like prev() (so previousFireTime and each run's window), skips the one and fires
  // the other twice. So the fire times are prev()'s: those it steps back through between two of next()'s times.
  const cron = CronExpressionParser.parse(spec.cron!, { currentDate: after, tz: spec.timeZone });
  for (let low = after.getTime(); times.length < count && low < end; ) {
    const high = cron.next().toDate().getTime();
    const between: Date[] = [];
    for (let t = previousFireTime(spec, new Date(high + 1)); t.getTime() > low; t = previousFireTime(spec, t)) between.unshift(t);
    times.push(...between.filter((t) => t.getTime() <= end).slice(0, count - times.length));
    low = high;
  }
  return times;
}
