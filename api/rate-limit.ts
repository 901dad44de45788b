// Requests per key and minute (the tenant's limit, or the default), counted in this API process: over it, 429
// with Retry-After (and RateLimit headers on every answer, as the IETF draft writes them).
import type { RequestHandler } from 'express';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { Problem } from './problem';
import type { TenantLimits } from './tenant-limits';

export const perKeyRateLimit = (limits: Pick<TenantLimits, 'of'>): RequestHandler =>
  rateLimit({
    windowMs: 60_000,
    limit: async (req) => (await limits.of(req.tenant.id)).requestsPerMinute,
    keyGenerator: (req) => req.apiKey.id,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, _res, next) => {
      const info = rateInfo(req);
      next(new Problem(429, 'Too many requests', `this key sent more than ${info?.limit ?? 'its limit of'} requests in a minute`, {
        hint: 'slow down and retry after the Retry-After seconds; GET /v1/limits shows the limit',
      }));
    },
  });

/** What the rate limit counted for this request, if it ran. */
export const rateInfo = (req: Parameters<RequestHandler>[0]): RateLimitInfo | undefined => (req as unknown as { rateLimit?: RateLimitInfo }).rateLimit;
