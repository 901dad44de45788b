// POST /v1/jobs/:id/{pause,resume,restart,cancel}: 200 with the job in its new state, or 409 naming the state
// and the actions it allows. The job's workflow decides through its update (validated there, so two clients
// cannot race it into a wrong state); it is open while the job is active and while a completed job keeps its
// files. A job whose workflow has ended (failed, cancelled, files expired) is restarted as a new run.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Router } from 'express';
import type { ExtractionOptions } from '../../domain/extraction-job';
import { startFailedError } from '../../domain/errors';
import { allowedActions, applyAction, type ExtractionState } from '../../domain/extraction-states';
import { jobPrefix } from '../../domain/plan';
import { deletePrefix } from '../../connectors/s3/objects';
import type { JobRecord } from '../../store/jobs';
import { ACTION_NOT_ALLOWED, commandUpdates, JOB_COMMANDS, type JobCommand } from '../../workflows/extraction';
import { jobView } from '../job-view';
import { notFound, Problem } from '../problem';
import { startExtractionWorkflow } from '../start-workflow';
import { queuePosition, type JobRouteDeps } from './jobs';

export type JobActionDeps = JobRouteDeps & { temporal: Client; taskQueue: string; options: ExtractionOptions };

const notAllowed = (job: JobRecord, action: JobCommand, state: ExtractionState) =>
  new Problem(409, 'Action not allowed', `${action} is not allowed while job ${job.id} is ${state}`, { state, allowedActions: allowedActions(state) });

export function jobActionRoutes(d: JobActionDeps): Router {
  const router = Router();
  router.post('/v1/jobs/:id/:action', async (req, res) => {
    const action = req.params.action as JobCommand;
    if (!JOB_COMMANDS.includes(action)) throw notFound(`POST ${req.path}`);
    let job = await d.jobs.get(req.tenant.id, req.params.id);
    if (!job) throw notFound(`job ${req.params.id}`);

    try {
      const snapshot = await d.temporal.workflow.getHandle(job.workflowId).executeUpdate(commandUpdates[action]);
      return res.json(jobView(job, snapshot, { queue: await queuePosition(d.slots, job.id, snapshot.state) }));
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === ACTION_NOT_ALLOWED) {
        const { state } = err.cause.details?.[0] as { state: ExtractionState };
        throw notAllowed(job, action, state);
      }
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      job = (await d.jobs.get(job.tenantId, job.id))!; // it ended meanwhile: decide on the finished job
    }

    if (!applyAction(job.state, action).ok) throw notAllowed(job, action, job.state);
    await deletePrefix(d.s3, d.bucket, jobPrefix(job.tenantId, job.id));
    const restarted = (await d.jobs.resetForRestart(job.tenantId, job.id))!;
    try {
      await startExtractionWorkflow(d.temporal, d.taskQueue, d.options, restarted);
    } catch (err) {
      // No run began: the job must not wait Queued for ever, nor keep a place in the queue.
      await d.slots.release(job.id);
      await d.jobs.markEnded(job.id, startFailedError((err as Error).message));
      throw err;
    }
    res.json(jobView(restarted, null, { queue: await d.slots.position(job.id) }));
  });
  return router;
}
