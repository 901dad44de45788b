// GET /v1/audit: the tenant's audit log, newest first, filtered, a page at a time. Read-only: nothing in the
// API changes or deletes an entry.
import { Router } from 'express';
import { auditQuerySchema } from '../../domain/audit';
import type { AuditStore } from '../../store/audit';
import { fromZod } from '../problem';

export interface AuditRouteDeps {
  audit: Pick<AuditStore, 'list'>;
}

export function auditRoutes(d: AuditRouteDeps): Router {
  const router = Router();
  router.get('/v1/audit', async (req, res) => {
    const query = auditQuerySchema.safeParse(req.query);
    if (!query.success) throw fromZod(query.error, 'query');
    const page = await d.audit.list(req.tenant.id, query.data);
    res.json({ entries: page.entries.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor });
  });
  return router;
}
