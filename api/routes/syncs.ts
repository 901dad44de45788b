// Sync jobs: define one (POST /v1/syncs), list and read them, act on them (start, pause, resume, restart),
// delete an inactive one, and read its instances and metrics. Reads come from Sluice's database; actions go to
// the sync's workflow, which decides (api/sync-control.ts).
import { Router, type Request } from 'express';
import { randomBytes } from 'node:crypto';
import { isActive, SYNC_STATES } from '../../domain/lifecycle';
import { syncRequestSchema } from '../../domain/sync-request';
import type { SyncMetricsStore } from '../../store/sync-metrics';
import { decodeSyncCursor, type SyncRecord, type SyncStore } from '../../store/syncs';
import { SYNC_ACTIONS, type SyncAction } from '../../workflows/sync-job';
import { requireSyncIdShape } from '../ids';
import { parseMetricsRange } from '../metrics-range';
import { listQuerySchema, parseListQuery } from '../list-query';
import { fromZod, notFound, Problem } from '../problem';
import { actOnSync, startSync, syncWorkflowIdFor, type SyncControl } from '../sync-control';
import { instanceView, syncView } from '../sync-view';
import { notAllowed } from '../workflow-calls';
import { connectionProblem, type ConnectionRoles } from './sync-connections';
import { notifyProblem, type NotifyCheckDeps } from '../notify-check';

export interface SyncRouteDeps extends NotifyCheckDeps {
  syncs: SyncStore;
  syncMetrics: SyncMetricsStore;
  syncControl: SyncControl;
  /** The roles of the tenant's connection of that name; null when it has none of that name. */
  connectionRoles: ConnectionRoles;
}

// Enough of the latest samples to see retained WAL grow while paused (about 30 s apart).
const RECENT_SAMPLES = 4;
export const SYNC_POST_ACTIONS: readonly SyncAction[] = SYNC_ACTIONS.filter((a) => a !== 'delete'); // delete is DELETE /v1/syncs/:id

export function syncRoutes(d: SyncRouteDeps): Router {
  const router = Router();
  // The stream samples every few seconds and its activity is retried elsewhere after a heartbeat timeout; twice
  // that without news means no worker is moving the sync.
  const staleAfterMs = 2 * d.syncControl.options.heartbeatTimeoutSeconds * 1000;

  const load = async (req: Request): Promise<SyncRecord> => {
    const sync = await d.syncs.get(req.tenant.id, String(req.params.id));
    if (!sync) throw notFound(`sync ${req.params.id}`);
    return sync;
  };
  const view = async (sync: SyncRecord) =>
    syncView(sync, { samples: (await d.syncMetrics.recent([sync.id], RECENT_SAMPLES)).get(sync.id), staleAfterMs });

  // An id of another shape never reaches a query (404, as an unknown id).
  router.use('/v1/syncs', requireSyncIdShape);

  router.post('/v1/syncs', async (req, res) => {
    const parsed = syncRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw fromZod(parsed.error);
    const { start, ...request } = parsed.data;
    const tenantId = req.tenant.id;
    const refused = (await connectionProblem(d.connectionRoles, tenantId, request)) ?? (await notifyProblem(d, tenantId, request.notify));
    if (refused) throw refused;
    const id = `sync_${randomBytes(10).toString('hex')}`; // hex: easy to read, select and type
    let sync = await d.syncs.create({ id, tenantId, request, workflowId: syncWorkflowIdFor(tenantId, id) });
    try {
      await startSync(d.syncControl, sync);
    } catch (err) {
      await d.syncs.delete(tenantId, id);
      throw err;
    }
    // The sync exists from here on: a start that cannot be sent leaves it Created and says so, still with 201.
    let startProblem: Problem | null = null;
    if (start) {
      try {
        const next = await actOnSync(d.syncControl, sync, 'start');
        sync = next ? { ...sync, snapshot: next, updatedAt: new Date() } : (await d.syncs.get(tenantId, id)) ?? sync;
      } catch (err) {
        if (!(err instanceof Problem)) throw err;
        startProblem = err;
      }
    }
    const body = await view(sync);
    const notStarted = startProblem && { status: startProblem.status, detail: startProblem.message, hint: `POST /v1/syncs/${id}/start to start it` };
    res.status(201).location(`/v1/syncs/${id}`).json(notStarted ? { ...body, startProblem: notStarted } : body);
  });

  router.get('/v1/syncs', async (req, res) => {
    const page = await d.syncs.list(req.tenant.id, parseListQuery(req.query, listQuerySchema(SYNC_STATES), decodeSyncCursor));
    const samples = await d.syncMetrics.recent(page.syncs.map((s) => s.id), RECENT_SAMPLES);
    res.json({ syncs: page.syncs.map((s) => syncView(s, { samples: samples.get(s.id), staleAfterMs })), nextCursor: page.nextCursor });
  });

  router.get('/v1/syncs/:id', async (req, res) => {
    res.json(await view(await load(req)));
  });

  router.post('/v1/syncs/:id/:action', async (req, res) => {
    const action = req.params.action as SyncAction;
    if (!SYNC_POST_ACTIONS.includes(action)) throw notFound(`POST ${req.path}`);
    const sync = await load(req);
    const next = await actOnSync(d.syncControl, sync, action);
    if (next === null) return res.status(202).json(await view(await load(req)));
    res.json(await view({ ...sync, snapshot: next, updatedAt: new Date() }));
  });

  // Only a sync that is not active can be deleted (its workflow drops the slot and publication it made, then
  // the sync, its instances and metrics); an active one gets a 409 naming the actions it allows (pause first).
  router.delete('/v1/syncs/:id', async (req, res) => {
    const sync = await load(req);
    if (isActive('sync', sync.snapshot.state)) throw notAllowed('sync', `sync ${sync.id}`, 'delete', sync.snapshot.state);
    const next = await actOnSync(d.syncControl, sync, 'delete');
    if (next === null) return res.status(202).json(await view(sync));
    res.status(204).end();
  });

  router.get('/v1/syncs/:id/instances', async (req, res) => {
    const sync = await load(req);
    const instances = await d.syncs.instances(sync.id);
    res.json({ syncId: sync.id, instances: instances.map((i) => instanceView(sync.id, i)) });
  });

  router.get('/v1/syncs/:id/metrics', async (req, res) => {
    const sync = await load(req);
    const range = parseMetricsRange(req.query);
    const points = await d.syncMetrics.series(sync.id, range);
    res.json({
      syncId: sync.id,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      stepSeconds: range.stepSeconds,
      points: points.map((p) => ({
        at: p.at.toISOString(), instance: p.run, samples: p.samples, idleTimeMs: p.idleMs, emitEventTimeMs: p.emitMs, instanceRecords: p.records,
        instanceBytes: p.bytes, instanceRps: p.rps, instanceBps: p.bps, retainedWalBytes: p.retainedWalBytes, walStatus: p.walStatus, safeWalSize: p.safeWalSize,
      })),
    });
  });

  return router;
}
