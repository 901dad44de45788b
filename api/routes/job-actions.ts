// POST /v1/jobs/:id/{pause,resume,restart,cancel}: 200 with the job in its next state, 202 when the action was
// accepted but has not taken effect yet, or 409 naming the state and the actions it allows. The job's workflow
// decides (its update's validator), whatever the job's state: an ended job's workflow is started again for it.
import { Router } from 'express';
import { EXTRACTION_ACTIONS, type ExtractionAction } from '../../workflows/extraction-job';
import { actOn } from '../job-control';
import { jobView } from '../job-view';
import { notFound } from '../problem';
import { jobReader, type JobRouteDeps } from './jobs';

export const JOB_POST_ACTIONS: readonly ExtractionAction[] = EXTRACTION_ACTIONS.filter((a) => a !== 'delete'); // delete is DELETE /v1/jobs/:id

export function jobActionRoutes(d: JobRouteDeps): Router {
  const router = Router();
  const { load, view } = jobReader(d);
  router.post('/v1/jobs/:id/:action', async (req, res) => {
    const action = req.params.action as ExtractionAction;
    if (!JOB_POST_ACTIONS.includes(action)) throw notFound(`POST ${req.path}`);
    const job = await load(req.tenant.id, req.params.id);
    const next = await actOn(d.control, job, action);
    if (next === null) return res.status(202).json(await view(await load(job.tenantId, job.id)));
    const queue = next.state === 'Queued' ? await d.slots.position(job.id) : null;
    res.json(jobView({ ...job, snapshot: next, updatedAt: new Date() }, { queue }));
  });
  return router;
}
