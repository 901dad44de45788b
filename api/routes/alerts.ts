import { Router } from 'express';
import { z } from 'zod';
import type { AlertRecord, AlertStore } from '../../store/alerts';
import { fromZod } from '../problem';

export interface AlertRouteDeps {
  alerts: Pick<AlertStore, 'list'>;
}

const RECENT_DAYS = 7;
export const alertsQuerySchema = z.strictObject({ state: z.enum(['open', 'all']).default('all') });

const alertView = (a: AlertRecord) => ({
  id: a.id, syncId: a.syncId, instance: a.run, kind: a.kind, message: a.message, state: a.resolvedAt ? 'resolved' : 'open',
  openedAt: a.openedAt.toISOString(), resolvedAt: a.resolvedAt?.toISOString() ?? null,
});

export function alertRoutes(d: AlertRouteDeps): Router {
  const router = Router();
  // Open alerts, and those resolved in the last week (state=open: the open ones only); newest first.
  router.get('/v1/alerts', async (req, res) => {
    const q = alertsQuerySchema.safeParse(req.query);
    if (!q.success) throw fromZod(q.error, 'query');
    const alerts = await d.alerts.list(req.tenant.id, { openOnly: q.data.state === 'open', recentDays: RECENT_DAYS });
    res.json({ alerts: alerts.map(alertView) });
  });
  return router;
}
