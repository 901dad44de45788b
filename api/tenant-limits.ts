// A tenant's limits as the API applies them: its own values over the operator's defaults (read again after a few
// seconds, so a change made by an admin applies soon on every API process), and its daily quotas.
import { effectiveLimits, retryAfterSeconds, spentQuota, utcDay, type DailyUsage, type Limits } from '../domain/tenant-limits';
import type { TenantLimitStore } from '../store/tenant-limits';
import { Problem } from './problem';

const FRESH_MS = 5000;

export class TenantLimits {
  private readonly cache = new Map<string, { limits: Limits; at: number }>();

  constructor(
    private readonly store: Pick<TenantLimitStore, 'get' | 'usedSince' | 'recordInline' | 'runningJobs'>,
    readonly defaults: Limits,
  ) {}

  async of(tenantId: string): Promise<Limits> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < FRESH_MS) return hit.limits;
    const limits = effectiveLimits(await this.store.get(tenantId), this.defaults);
    this.cache.set(tenantId, { limits, at: Date.now() });
    return limits;
  }

  usedToday(tenantId: string, now: Date): Promise<DailyUsage> {
    return this.store.usedSince(tenantId, utcDay(now).start);
  }

  runningJobs(tenantId: string): Promise<number> {
    return this.store.runningJobs(tenantId);
  }

  recordInline(tenantId: string, used: DailyUsage): Promise<void> {
    return this.store.recordInline(tenantId, new Date(), used);
  }

  /** 429 when the tenant has used up a daily quota; it may extract again at midnight UTC. */
  async quotaProblem(tenantId: string, now = new Date()): Promise<Problem | null> {
    const limits = await this.of(tenantId);
    if (limits.dailyRows === null && limits.dailyBytes === null) return null;
    const spent = spentQuota(limits, await this.usedToday(tenantId, now));
    if (!spent) return null;
    const { end } = utcDay(now);
    const what = spent === 'dailyRows' ? `${limits.dailyRows} rows` : `${limits.dailyBytes} bytes`;
    return new Problem(429, 'Daily quota used up', `this tenant has extracted its ${what} for today (UTC)`, {
      limit: spent, resetsAt: end.toISOString(), hint: 'GET /v1/limits shows what is used; the quota starts again at midnight UTC',
    }, { 'Retry-After': String(retryAfterSeconds(now, end)) });
  }
}
