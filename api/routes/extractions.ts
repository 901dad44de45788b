import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { randomBytes } from 'node:crypto';
import type { SourcePools } from '../../connectors/postgres/pools';
import type { ExtractionOptions } from '../../domain/extraction-job';
import { extractionRequestSchema } from '../../domain/extraction-request';
import type { SlotStore } from '../../store/job-slots';
import type { JobStore } from '../../store/jobs';
import type { TenantStore } from '../../store/tenants';
import { jobView } from '../job-view';
import { checkAgainstSource } from '../source-check';
import { badRequest, fromZod } from '../problem';
import { startExtractionWorkflow, workflowIdFor } from '../start-workflow';

export interface ExtractionRouteDeps {
  jobs: JobStore;
  slots: SlotStore;
  tenants: TenantStore;
  temporal: Client;
  taskQueue: string;
  options: ExtractionOptions;
  /** Connections to sources, for checking requests against their catalogs. */
  pools: SourcePools;
}

export function extractionRoutes(d: ExtractionRouteDeps): Router {
  const router = Router();
  router.post('/v1/extractions', async (req, res) => {
    const parsed = extractionRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw fromZod(parsed.error);
    const request = parsed.data;
    const tenantId = req.tenant.id;
    const sourceUrl = await d.tenants.sourceUrl(tenantId, request.source);
    if (!sourceUrl) {
      throw badRequest('source', `no source named "${request.source}" is registered`, 'use the name of a source registered for your tenant, e.g. "demo"');
    }
    await checkAgainstSource(d.pools, sourceUrl, request);
    const jobId = `job_${randomBytes(10).toString('hex')}`; // hex: easy to read, select and type
    const workflowId = workflowIdFor(tenantId, jobId);
    const job = await d.jobs.create({ id: jobId, tenantId, request, workflowId });
    try {
      await startExtractionWorkflow(d.temporal, d.taskQueue, d.options, job);
    } catch (err) {
      await d.jobs.delete(tenantId, jobId);
      throw err;
    }
    res.status(202).location(`/v1/jobs/${jobId}`).json(jobView(job, null, { queue: await d.slots.position(jobId) }));
  });
  return router;
}
