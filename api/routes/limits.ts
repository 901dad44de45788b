// GET /v1/limits: the tenant's limits and what is left of each now.
import { Router } from 'express';
import { utcDay } from '../../domain/tenant-limits';
import type { InlineCapacity } from '../inline/capacity';
import { rateInfo } from '../rate-limit';
import type { TenantLimits } from '../tenant-limits';

export interface LimitRouteDeps {
  tenantLimits: TenantLimits;
  inline: { capacity: InlineCapacity };
}

const left = (limit: number | null, used: number) => (limit === null ? null : Math.max(0, limit - used));

export function limitRoutes(d: LimitRouteDeps): Router {
  const router = Router();
  router.get('/v1/limits', async (req, res) => {
    const tenantId = req.tenant.id;
    const now = new Date();
    const [limits, running, today] = await Promise.all([d.tenantLimits.of(tenantId), d.tenantLimits.runningJobs(tenantId), d.tenantLimits.usedToday(tenantId, now)]);
    const inline = d.inline.capacity.inUseBy(tenantId);
    const resetsAt = utcDay(now).end.toISOString();
    res.json({
      runningJobs: { limit: limits.runningJobs, used: running, left: left(limits.runningJobs, running), overLimit: 'further jobs wait Queued' },
      inlineConcurrent: { limit: limits.inlineConcurrent, used: inline, left: left(limits.inlineConcurrent, inline), scope: 'this API process' },
      dailyRows: { limit: limits.dailyRows, used: today.rows, left: left(limits.dailyRows, today.rows), resetsAt },
      dailyBytes: { limit: limits.dailyBytes, used: today.bytes, left: left(limits.dailyBytes, today.bytes), resetsAt },
      requestsPerMinute: { limit: limits.requestsPerMinute, left: rateInfo(req)?.remaining ?? limits.requestsPerMinute, scope: 'per key, this API process' },
    });
  });
  return router;
}
