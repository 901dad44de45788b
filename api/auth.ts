import type { RequestHandler } from 'express';
import type { Tenant, TenantStore } from '../store/tenants';
import { Problem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    tenant: Tenant;
  }
}

// `Authorization: Bearer <api key>`; the key decides the tenant every job and file is scoped to.
export const requireApiKey = (tenants: TenantStore): RequestHandler => async (req, res, next) => {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  const tenant = match ? await tenants.forApiKey(match[1]) : null;
  if (!tenant) {
    res.set('WWW-Authenticate', 'Bearer');
    return next(new Problem(401, 'Unauthorized', match ? 'the API key is not valid' : 'send the API key as "Authorization: Bearer <key>"'));
  }
  req.tenant = tenant;
  next();
};
