import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { randomBytes } from 'node:crypto';
import type { SourcePools } from '../../connectors/postgres/pools';
import type { ExtractionInput, ExtractionOptions } from '../../domain/extraction-job';
import { extractionRequestSchema } from '../../domain/extraction-request';
import type { JobStore } from '../../store/jobs';
import type { TenantStore } from '../../store/tenants';
import { extractionWorkflow } from '../../workflows/extraction';
import { JOB_KIND_ATTRIBUTE, JOB_STATE_ATTRIBUTE, TENANT_ATTRIBUTE } from '../../workflows/search-attributes';
import { jobView } from '../job-view';
import { checkAgainstSource } from '../source-check';
import { badRequest, fromZod, Problem } from '../problem';

export interface ExtractionRouteDeps {
  jobs: JobStore;
  tenants: TenantStore;
  temporal: Client;
  taskQueue: string;
  options: ExtractionOptions;
  /** Connections to sources, for checking requests against their catalogs. */
  pools: SourcePools;
}

export const workflowIdFor = (tenantId: string, jobId: string) => `sluice/${tenantId}/extraction/${jobId}`;

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
    const input: ExtractionInput = { jobId, tenantId, request, options: d.options };
    const what = request.table ? `table ${request.table}` : 'a query';
    try {
      await d.temporal.workflow.start(extractionWorkflow, {
        taskQueue: d.taskQueue,
        workflowId,
        args: [input],
        typedSearchAttributes: [
          { key: TENANT_ATTRIBUTE, value: tenantId },
          { key: JOB_KIND_ATTRIBUTE, value: 'extraction' },
          { key: JOB_STATE_ATTRIBUTE, value: 'Queued' },
        ],
        staticSummary: `Extraction ${jobId}: ${what} from source ${request.source} to ${request.format}${request.compression === 'gzip' ? '.gz' : ''}`,
      });
    } catch (err) {
      await d.jobs.delete(tenantId, jobId);
      throw new Problem(503, 'Scheduler unavailable', `the job could not be started: ${(err as Error).message}`, { retryable: true });
    }
    res.status(202).location(`/v1/jobs/${jobId}`).json(jobView(job, null));
  });
  return router;
}
