// A tenant's limits: each its own value or, when it has none, the operator's default. Daily quotas count the
// rows and bytes of the tenant's extractions (jobs and inline answers) since midnight UTC. Pure.
import { z } from 'zod';

export const LIMIT_NAMES = ['runningJobs', 'inlineConcurrent', 'dailyRows', 'dailyBytes', 'requestsPerMinute'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** Values per limit; null: no limit (daily quotas only). */
export type Limits = { runningJobs: number; inlineConcurrent: number; dailyRows: number | null; dailyBytes: number | null; requestsPerMinute: number };

/** A tenant's own values: a number, or null for "the default again"; a limit left out stays as it was. */
export const tenantLimitsPatchSchema = z.strictObject({
  runningJobs: z.number().int().min(1).max(10_000).nullable().optional().describe('jobs of the tenant running at once; more wait Queued'),
  inlineConcurrent: z.number().int().min(0).max(1000).nullable().optional().describe('inline answers of the tenant in progress at once, per API process'),
  dailyRows: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional().describe('rows extracted per UTC day'),
  dailyBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional().describe('bytes extracted per UTC day'),
  requestsPerMinute: z.number().int().min(1).max(1_000_000).nullable().optional().describe('API requests per key per minute, per API process'),
});
export type TenantLimitsPatch = z.infer<typeof tenantLimitsPatchSchema>;

/** What a tenant has set (absent: the default). */
export type OwnLimits = Partial<Limits>;

export const effectiveLimits = (own: OwnLimits, defaults: Limits): Limits => ({
  runningJobs: own.runningJobs ?? defaults.runningJobs,
  inlineConcurrent: own.inlineConcurrent ?? defaults.inlineConcurrent,
  dailyRows: own.dailyRows ?? defaults.dailyRows,
  dailyBytes: own.dailyBytes ?? defaults.dailyBytes,
  requestsPerMinute: own.requestsPerMinute ?? defaults.requestsPerMinute,
});

export interface DailyUsage {
  rows: number;
  bytes: number;
}

/** Midnight UTC that began `now`'s day, and the next one (when daily quotas start again). */
export function utcDay(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

/** The daily quota a new extraction would go over (used up already), if any. */
export function spentQuota(limits: Pick<Limits, 'dailyRows' | 'dailyBytes'>, used: DailyUsage): 'dailyRows' | 'dailyBytes' | null {
  if (limits.dailyRows !== null && used.rows >= limits.dailyRows) return 'dailyRows';
  if (limits.dailyBytes !== null && used.bytes >= limits.dailyBytes) return 'dailyBytes';
  return null;
}

/** Whole seconds until `until`, at least 1: a Retry-After. */
export const retryAfterSeconds = (now: Date, until: Date): number => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
