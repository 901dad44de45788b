// A schedule of recurring extractions: when it fires (cron or interval, in a time zone, between optional bounds,
// with jitter), what happens when runs would overlap or were missed, and the extraction each run makes. The body
// of POST /v1/schedules; PATCH takes any part of it. Pure.
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { extractionRequestSchema, type ExtractionRequest } from './extraction-request';
import { jobNotifySchema } from './notify-request';
import { RUN_WINDOW_PROBE, withRunWindow, type ScheduledRequest } from './run-window';

export const OVERLAP_POLICIES = ['skip', 'buffer_one', 'cancel_previous', 'allow_all'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const DURATION = /^(\d{1,9})(s|m|h|d)$/;

/** Seconds in a duration such as "30s", "15m", "2h" or "1d". */
export function durationSeconds(text: string): number {
  const [, n, unit] = DURATION.exec(text)!;
  return Number(n) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
}

const duration = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(DURATION, `${what} is a duration such as "30s", "15m", "2h" or "1d"`)
    // zod runs every check: one that is not a duration was refused above.
    .refine((t) => !DURATION.test(t) || (durationSeconds(t) >= min && durationSeconds(t) <= max), `${what} is between ${min} s and ${max / 86_400} day${max === 86_400 ? '' : 's'}`);

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

// Five fields (minute hour day-of-month month day-of-week) or a macro, as Temporal and the window computation
// read them alike. Both day fields restricted would be read as "either" by classic cron and "both" by Temporal.
const cronSchema = z
  .string()
  .trim() // stored trimmed: cron-parser cannot read " @daily " (an alias "dai")
  .max(200)
  .superRefine((cron, ctx) => {
    const fields = cron.trim().split(/\s+/);
    if (MACROS.includes(cron.trim())) return;
    if (fields.length !== 5) return void ctx.addIssue({ code: 'custom', message: 'a cron expression has five fields: minute hour day-of-month month day-of-week (or @hourly, @daily …)' });
    if (fields[2] !== '*' && fields[4] !== '*') return void ctx.addIssue({ code: 'custom', message: 'restrict the day of the month or the day of the week, not both' });
    // Numbers, ranges, steps, lists and names (MON, JAN): what Temporal's cron reads too; not L, W, # or ?.
    if (!fields.every((f) => /^([0-9*,/-]|[A-Za-z]{3})+$/.test(f))) {
      return void ctx.addIssue({ code: 'custom', message: 'use numbers, *, ranges (1-5), steps (*/15), lists (1,15) and names (MON, JAN); L, W, # and ? are not read' });
    }
    try {
      CronExpressionParser.parse(cron, { strict: false });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid cron expression: ${(err as Error).message}` });
    }
  });

const timeZoneSchema = z
  .string()
  .max(64)
  .refine((tz) => {
    // Node 22's Intl also takes an offset such as "+02:00", which is no IANA name (and Temporal refuses it).
    if (!/^[A-Za-z]/.test(tz)) return false;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'is not an IANA time zone name such as "UTC" or "Europe/Berlin"')
  .superRefine((tz, ctx) => {
    // Intl reads any letter case; Temporal looks names up as they are spelled.
    const spelled = [...Intl.supportedValuesOf('timeZone'), 'UTC'].find((z) => z !== tz && z.toLowerCase() === tz.toLowerCase());
    if (spelled) ctx.addIssue({ code: 'custom', message: `time zone names are spelled as in the IANA database: "${spelled}"`, params: { hint: `write "${spelled}"` } });
  });

const instant = z.iso.datetime({ offset: true, error: 'an instant such as "2026-12-01T00:00:00Z"' });

// A filter value may be a placeholder for the run's window; everything else is checked as for POST /v1/extractions.
const scheduledRequestSchema = z.unknown().transform((raw, ctx): ScheduledRequest => {
  const probe = withRunWindow(raw as ScheduledRequest, RUN_WINDOW_PROBE);
  const parsed = extractionRequestSchema.safeParse(probe);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', path: issue.path } as never);
    return z.NEVER;
  }
  const request = parsed.data;
  if (request.mode !== 'job' && (raw as { mode?: unknown }).mode !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['mode'], message: 'each run of a schedule is a job; leave "mode" out or give "job"' });
  }
  if (request.notify) ctx.addIssue({ code: 'custom', path: ['notify'], message: 'a schedule names its recipients itself: move "notify" up beside "request"' });
  // The filter with its placeholders as given, the rest as parsed (defaults filled in).
  return { ...request, mode: 'job', filter: (raw as { filter?: ScheduledRequest['filter'] }).filter === undefined ? undefined : (raw as ScheduledRequest).filter };
});

export const scheduleFields = {
  cron: cronSchema.optional().describe('when it fires, in its time zone: five cron fields or a macro such as @daily'),
  interval: duration('interval', 1, 366 * 86_400).optional().describe('or every so long, counted from the Unix epoch: "5s", "15m", "1d"'),
  timeZone: timeZoneSchema.default('UTC').describe('the time zone its cron expression reads in'),
  startAt: instant.optional().describe('no run fires before this instant'),
  endAt: instant.optional().describe('no run fires after this instant'),
  jitter: duration('jitter', 0, 86_400).default('0s').describe('each run starts up to this much later than its time, at random; its window does not move'),
  overlap: z.enum(OVERLAP_POLICIES).default('skip').describe('a run due while the last is still going: skip it, buffer one, cancel the previous, or allow all'),
  catchupWindow: duration('catchupWindow', 10, 366 * 86_400).default('1d').describe('a run missed (Temporal or every worker down) still runs if it can start within this much of its time'),
  request: scheduledRequestSchema.describe('the extraction each run makes, as for POST /v1/extractions (a job); a filter value may be {"$runWindowStart": true} or {"$runWindowEnd": true}'),
  notify: jobNotifySchema.optional().describe('recipients of every run\'s events'),
  note: z.string().max(500).optional().describe('what the schedule is for, shown with it'),
};

const checkSpec = (s: { cron?: string; interval?: string; startAt?: string; endAt?: string }, ctx: z.RefinementCtx) => {
  if (!s.cron === !s.interval) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give either "cron" or "interval"' });
  if (s.startAt && s.endAt && Date.parse(s.startAt) >= Date.parse(s.endAt)) ctx.addIssue({ code: 'custom', path: ['endAt'], message: '"endAt" comes after "startAt"' });
};

export const scheduleDefinitionSchema = z.strictObject(scheduleFields).superRefine(checkSpec);
export type ScheduleDefinition = z.infer<typeof scheduleDefinitionSchema>;

/** The body of PATCH /v1/schedules/:id: any of the fields, none defaulted; `cron` replaces `interval` and the other way round. */
export const schedulePatchSchema = z.strictObject(
  Object.fromEntries(Object.entries(scheduleFields).map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.unwrap() : v).optional()])),
) as unknown as z.ZodType<Partial<ScheduleDefinition>>;
export type SchedulePatch = z.infer<typeof schedulePatchSchema>;

/** The definition after a patch, checked whole again. */
export function patched(current: ScheduleDefinition, patch: SchedulePatch): z.ZodSafeParseResult<ScheduleDefinition> {
  const next: Record<string, unknown> = { ...current, ...patch };
  if (patch.cron) delete next.interval;
  if (patch.interval) delete next.cron;
  return scheduleDefinitionSchema.safeParse(next);
}

export interface BackfillRange {
  start: string;
  end: string;
  overlap?: OverlapPolicy;
}

/** POST /v1/schedules/:id/backfill: a past range, each fire time in it one run. */
export const backfillSchema = z
  .strictObject({
    start: instant.describe('the first fire time considered'),
    end: instant.describe('the last fire time considered'),
    overlap: z.enum(OVERLAP_POLICIES).optional().describe("the schedule's overlap policy unless given; allow_all runs the windows side by side"),
  })
  .superRefine((b, ctx) => {
    if (Date.parse(b.start) >= Date.parse(b.end)) ctx.addIssue({ code: 'custom', path: ['end'], message: '"end" comes after "start"' });
  });

export type { ExtractionRequest };
