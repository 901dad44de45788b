// Schedules of recurring extractions: define one (POST /v1/schedules), list, read, change (PATCH, from the next
// run on), pause, unpause, trigger, backfill and delete. Temporal fires the runs; each is an ordinary job.
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { SourcePools } from '../../connectors/postgres/pools';
import { RUN_WINDOW_PROBE, withRunWindow } from '../../domain/run-window';
import { backfillSchema, OVERLAP_POLICIES, patched, scheduleDefinitionSchema, schedulePatchSchema, type ScheduleDefinition } from '../../domain/schedule';
import type { ConnectionStore } from '../../store/connections';
import { decodeScheduleCursor, type ScheduleRecord, type ScheduleStore } from '../../store/schedules';
import { requireScheduleIdShape } from '../ids';
import { pageQuerySchema, parseListQuery } from '../list-query';
import { notifyProblem, type NotifyCheckDeps } from '../notify-check';
import { badRequest, fromZod, notFound, Problem } from '../problem';
import {
  backfillSchedule, createSchedule, deleteSchedule, describeSchedule, pauseSchedule, temporalScheduleIdFor, triggerSchedule, updateSchedule,
  type ScheduleControl,
} from '../schedule-control';
import { checkAgainstSource } from '../source-check';
import { scheduleView } from '../schedule-view';
import { noSource } from './extractions';

export interface ScheduleRouteDeps extends NotifyCheckDeps {
  schedules: ScheduleStore;
  scheduleControl: ScheduleControl;
  connections: Pick<ConnectionStore, 'source' | 'get'>;
  pools: SourcePools;
}

const RECENT_RUNS = 20;

export const pauseBodySchema = z.strictObject({ note: z.string().max(500).optional().describe('why, shown with the schedule') });
export const triggerBodySchema = z.strictObject({
  overlap: z.enum(OVERLAP_POLICIES).default('allow_all').describe('what to do if a run is going: by default this one runs beside it'),
});

export function scheduleRoutes(d: ScheduleRouteDeps): Router {
  const router = Router();
  router.use('/v1/schedules', requireScheduleIdShape);

  const load = async (tenantId: string, id: string): Promise<ScheduleRecord> => {
    const s = await d.schedules.get(tenantId, id);
    if (!s) throw notFound(`schedule ${id}`);
    return s;
  };

  // The definition checked as a job made from it would be: its recipients, its source, its request against the
  // source's catalog (placeholders stand in for instants).
  const check = async (tenantId: string, def: ScheduleDefinition) => {
    const refused = await notifyProblem(d, tenantId, def.notify);
    if (refused) throw refused;
    const source = await d.connections.source(tenantId, def.request.source);
    if (!source) throw underRequest(await noSource(d, tenantId, def.request.source));
    await checkAgainstSource(d.pools, source, withRunWindow(def.request, RUN_WINDOW_PROBE)).catch((err) => {
      throw err instanceof Problem ? underRequest(err) : err;
    });
  };

  const fullView = async (s: ScheduleRecord) => {
    const [runs, temporal] = await Promise.all([
      d.schedules.runs(s.id, RECENT_RUNS),
      describeSchedule(d.scheduleControl, s).catch(() => undefined), // shown without what Temporal says when it cannot be reached
    ]);
    // A pause or unpause made in the Web UI: the record follows Temporal.
    if (temporal && temporal.paused !== s.paused) s = (await d.schedules.update(s.tenantId, s.id, { paused: temporal.paused })) ?? s;
    return scheduleView(s, { runs, temporal });
  };

  router.post('/v1/schedules', async (req, res) => {
    const parsed = scheduleDefinitionSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw fromZod(parsed.error);
    const def = parsed.data;
    const tenantId = req.tenant.id;
    await check(tenantId, def);
    const id = `sch_${randomBytes(10).toString('hex')}`;
    const record = await d.schedules.create({ id, tenantId, definition: def, temporalScheduleId: temporalScheduleIdFor(tenantId, id), paused: false });
    try {
      await createSchedule(d.scheduleControl, record, def);
    } catch (err) {
      await d.schedules.delete(tenantId, id);
      throw err;
    }
    res.status(201).location(`/v1/schedules/${id}`).json(await fullView(record));
  });

  router.get('/v1/schedules', async (req, res) => {
    const page = await d.schedules.list(req.tenant.id, parseListQuery(req.query, pageQuerySchema, decodeScheduleCursor));
    const latest = await d.schedules.latestRuns(page.schedules.map((s) => s.id));
    res.json({ schedules: page.schedules.map((s) => scheduleView(s, { runs: latest.has(s.id) ? [latest.get(s.id)!] : [] })), nextCursor: page.nextCursor });
  });

  router.get('/v1/schedules/:id', async (req, res) => {
    res.json(await fullView(await load(req.tenant.id, req.params.id)));
  });

  router.patch('/v1/schedules/:id', async (req, res) => {
    const s = await load(req.tenant.id, req.params.id);
    const patch = schedulePatchSchema.safeParse(req.body ?? {});
    if (!patch.success) throw fromZod(patch.error);
    const next = patched(s.definition, patch.data);
    if (!next.success) throw fromZod(next.error);
    if (patch.data.request || patch.data.notify) await check(s.tenantId, next.data);
    await updateSchedule(d.scheduleControl, s, next.data);
    res.json(await fullView((await d.schedules.update(s.tenantId, s.id, { definition: next.data })) ?? s));
  });

  for (const paused of [true, false]) {
    router.post(`/v1/schedules/:id/${paused ? 'pause' : 'unpause'}`, async (req, res) => {
      const s = await load(req.tenant.id, req.params.id);
      const body = pauseBodySchema.safeParse(req.body ?? {});
      if (!body.success) throw fromZod(body.error);
      await pauseSchedule(d.scheduleControl, s, paused, body.data.note);
      res.json(await fullView((await d.schedules.update(s.tenantId, s.id, { paused })) ?? s));
    });
  }

  router.post('/v1/schedules/:id/trigger', async (req, res) => {
    const s = await load(req.tenant.id, req.params.id);
    const body = triggerBodySchema.safeParse(req.body ?? {});
    if (!body.success) throw fromZod(body.error);
    await triggerSchedule(d.scheduleControl, s, body.data.overlap);
    res.status(202).json({ scheduleId: s.id, triggered: true, overlap: body.data.overlap, links: { runs: `/v1/schedules/${s.id}`, jobs: `/v1/jobs?scheduleId=${s.id}` } });
  });

  router.post('/v1/schedules/:id/backfill', async (req, res) => {
    const s = await load(req.tenant.id, req.params.id);
    const body = backfillSchema.safeParse(req.body ?? {});
    if (!body.success) throw fromZod(body.error);
    const start = new Date(body.data.start);
    const end = new Date(body.data.end);
    if (end.getTime() > Date.now()) throw badRequest('end', 'a backfill covers the past: "end" is in the future', 'end it now or earlier; the schedule itself runs the times to come');
    const overlap = body.data.overlap ?? s.definition.overlap;
    await backfillSchedule(d.scheduleControl, s, { start, end, overlap });
    res.status(202).json({ scheduleId: s.id, start: start.toISOString(), end: end.toISOString(), overlap, links: { jobs: `/v1/jobs?scheduleId=${s.id}` } });
  });

  // The jobs it made stay (with their scheduleId); a run in progress goes on.
  router.delete('/v1/schedules/:id', async (req, res) => {
    const s = await load(req.tenant.id, req.params.id);
    await deleteSchedule(d.scheduleControl, s);
    await d.schedules.delete(s.tenantId, s.id);
    res.status(204).end();
  });

  return router;
}

// A problem about the request of a schedule names its fields under "request".
function underRequest(p: Problem): Problem {
  const errors = (p.extra.errors as { field: string }[] | undefined)?.map((e) => ({ ...e, field: `request.${e.field}` }));
  return errors ? new Problem(p.status, p.title, p.message, { ...p.extra, errors }, p.headers) : p;
}
