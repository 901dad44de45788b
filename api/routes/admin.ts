// The admin API: tenants and their API keys, for operators, behind SLUICE_ADMIN_TOKEN. What it does is
// store/tenant-admin.ts's, which the `sluice` CLI calls too; this file only speaks HTTP.
import express, { Router, type ErrorRequestHandler } from 'express';
import { apiKeyView, tenantView } from '../../domain/api-key';
import { AdminRefusal, type TenantAdmin } from '../../store/tenant-admin';
import { isBearerToken } from '../bearer-token';
import { requireJsonBody } from '../json-body';
import { badRequest, fieldProblem, Problem } from '../problem';

export interface AdminRouteDeps {
  tenantAdmin: TenantAdmin;
  /** SLUICE_ADMIN_TOKEN; unset: no admin API. */
  adminToken?: string;
}

const unauthorized = (detail: string) => new Problem(401, 'Unauthorized', detail, {}, { 'WWW-Authenticate': 'Bearer' });

const requireAdminToken = (token: string): express.RequestHandler => (req, _res, next) => {
  const header = req.get('authorization');
  if (!header) return next(unauthorized('send the admin token as "Authorization: Bearer <SLUICE_ADMIN_TOKEN>"'));
  next(isBearerToken(header, token) ? undefined : unauthorized('the admin token is not valid'));
};

const refusalProblem: ErrorRequestHandler = (err, _req, _res, next) => {
  if (!(err instanceof AdminRefusal)) return next(err);
  const [status, title] = err.kind === 'not_found' ? [404, 'Not found'] : [409, 'Conflict'];
  next(err.field ? fieldProblem(status, title, err.field, err.message) : new Problem(status, title, err.message));
};

/** Routes under /admin/v1, the token checked before a body is read. */
export function adminRoutes(admin: TenantAdmin, token: string): Router {
  const router = Router();
  router.use('/admin/v1', requireAdminToken(token), requireJsonBody, express.json({ limit: '64kb' }));

  router.post('/admin/v1/tenants', async (req, res) => {
    res.status(201).json(tenantView(await admin.createTenant(req.body ?? {})));
  });

  router.get('/admin/v1/tenants', async (_req, res) => {
    res.json({ tenants: (await admin.listTenants()).map(tenantView) });
  });

  // The key is in this answer only: Sluice keeps its hash.
  router.post('/admin/v1/keys', async (req, res) => {
    const { key, record } = await admin.createKey(req.body ?? {});
    res.status(201).json({ ...apiKeyView(record), key });
  });

  router.get('/admin/v1/keys', async (req, res) => {
    const tenant = req.query.tenant;
    if (typeof tenant !== 'string') throw badRequest('tenant', 'name the tenant whose keys to list', 'GET /admin/v1/keys?tenant=<id>');
    res.json({ keys: (await admin.listKeys(tenant)).map((k) => apiKeyView(k)) });
  });

  // The old key keeps working until previous.expiresAt (the grace, 24 h by default), so clients can move over.
  router.post('/admin/v1/keys/:id/rotate', async (req, res) => {
    const { key, record, previous } = await admin.rotateKey(req.params.id, req.body ?? {});
    res.status(201).json({ ...apiKeyView(record), key, previous: apiKeyView(previous) });
  });

  router.post('/admin/v1/keys/:id/revoke', async (req, res) => {
    res.json(apiKeyView(await admin.revokeKey(req.params.id)));
  });

  // A tenant's own limits (null: the operator's default, SLUICE_TENANT_* and SLUICE_KEY_REQUESTS_PER_MINUTE).
  router.get('/admin/v1/tenants/:id/limits', async (req, res) => {
    res.json(await admin.limits(req.params.id));
  });

  router.put('/admin/v1/tenants/:id/limits', async (req, res) => {
    res.json(await admin.setLimits(req.params.id, req.body ?? {}));
  });

  router.use(refusalProblem);
  return router;
}
