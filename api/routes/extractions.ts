import { Router, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { SourcePools } from '../../connectors/postgres/pools';
import { extractionRequestSchema, type ExtractionRequest } from '../../domain/extraction-request';
import { decide, type InlineLimits } from '../../domain/inline-decision';
import type { SelectSpec } from '../../domain/plan';
import type { SlotStore } from '../../store/job-slots';
import type { JobStore } from '../../store/jobs';
import type { ConnectionStore } from '../../store/connections';
import type { InlineCapacity } from '../inline/capacity';
import { decisionHeaders, refusal, sendAnswer, type DecisionReport } from '../inline/respond';
import { answerInline } from '../inline/run';
import { jobView } from '../job-view';
import { checkAgainstSource } from '../source-check';
import { badRequest, fromZod } from '../problem';
import { startJob, workflowIdFor, type JobControl } from '../job-control';
import { notifyProblem, type NotifyCheckDeps } from '../notify-check';
import type { TenantLimits } from '../tenant-limits';

export interface ExtractionRouteDeps extends NotifyCheckDeps {
  jobs: JobStore;
  slots: SlotStore;
  connections: Pick<ConnectionStore, 'source' | 'get'>;
  control: JobControl;
  /** Connections to sources, for checking requests against their catalogs and answering inline. */
  pools: SourcePools;
  inline: { limits: InlineLimits; capacity: InlineCapacity; gzipLevel: number };
  tenantLimits: TenantLimits;
}

export function extractionRoutes(d: ExtractionRouteDeps): Router {
  const router = Router();
  router.post('/v1/extractions', async (req, res) => {
    const parsed = extractionRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw fromZod(parsed.error);
    const request = parsed.data;
    const tenantId = req.tenant.id;
    const refused = (await notifyProblem(d, tenantId, request.notify)) ?? (await d.tenantLimits.quotaProblem(tenantId));
    if (refused) throw refused;
    const source = await d.connections.source(tenantId, request.source);
    if (!source) throw await noSource(d, tenantId, request.source);
    const facts = await checkAgainstSource(d.pools, source, request);
    const { limits, capacity } = d.inline;
    const estimate = facts?.estimate ?? null;
    const tenantInline = { inUse: capacity.inUseBy(tenantId), limit: (await d.tenantLimits.of(tenantId)).inlineConcurrent };
    const decision = decide({ mode: request.mode, format: request.format, estimate, limits, inlineInUse: capacity.inUse, tenantInline });
    if (decision.mode === 'job') return acceptJob(d, res, tenantId, request, { rule: decision.rule, estimate, limits });
    if (decision.mode === 'refuse') throw refusal({ rule: decision.rule, estimate, limits });

    capacity.take(tenantId); // in the same tick as the decision that counted the answers in progress
    try {
      // decide() answers inline only with an estimate, so the source was checked.
      const read = { pool: d.pools.get(source.url), role: request.query ? source.queryRole : null };
      const report = await answerOrSayWhyNot(d, res, tenantId, request, read, facts!.select, { rule: decision.rule, estimate, limits });
      if (!report) return;
      if (request.mode === 'inline') throw refusal(report);
      return await acceptJob(d, res, tenantId, request, report);
    } finally {
      capacity.give(tenantId);
    }
  });
  return router;
}

/** The problem for a source that is not there, or is a connection that is only a target. */
export async function noSource(d: Pick<ExtractionRouteDeps, 'connections'>, tenantId: string, name: string) {
  const other = await d.connections.get(tenantId, name);
  if (other) {
    return badRequest('source', `the connection "${name}" is registered with role ${other.roles.join(' and ')}, not source`,
      `PUT /v1/connections/${name} with roles ["source", "target"] to read from it`);
  }
  return badRequest('source', `no connection named "${name}" is registered`, 'use the name of a connection with role source, e.g. "demo"; GET /v1/connections lists them');
}

// Sends the rows, or says why they could not be sent (a job or a refusal follows). Null when nothing is left
// to answer: the rows were sent, or the client left.
async function answerOrSayWhyNot(
  d: ExtractionRouteDeps, res: Response, tenantId: string, request: ExtractionRequest, read: { pool: Pool; role: string | null }, select: SelectSpec, decided: DecisionReport,
): Promise<DecisionReport | null> {
  const { estimate, limits } = decided;
  const outcome = await answerInline(read, select, request, limits, d.inline.gzipLevel, clientGone(res));
  switch (outcome.kind) {
    case 'abandoned':
      return null;
    case 'answer':
      await sendAnswer(res, request, outcome.body, { ...decided, seen: outcome.seen });
      await d.tenantLimits.recordInline(tenantId, outcome.seen);
      return null;
    case 'overrun':
      return { rule: outcome.rule, estimate, limits, seen: outcome.seen };
    case 'failed':
      // The source refused the statement (a division by zero, a bad cast): the request's fault, as when the
      // check finds it, and a job would fail the same way. What a retry can fix, a job retries.
      if (!outcome.error.retryable) throw badRequest(request.query ? 'query' : 'table', outcome.error.message, outcome.error.suggestion);
      return { rule: 'source_unavailable', estimate, limits };
  }
}

async function acceptJob(d: ExtractionRouteDeps, res: Response, tenantId: string, request: ExtractionRequest, decision: DecisionReport) {
  const jobId = `job_${randomBytes(10).toString('hex')}`; // hex: easy to read, select and type
  const workflowId = workflowIdFor(tenantId, jobId);
  const job = await d.jobs.create({ id: jobId, tenantId, request, workflowId });
  try {
    await startJob(d.control, job);
  } catch (err) {
    await d.jobs.delete(tenantId, jobId);
    throw err;
  }
  const view = jobView(job, { queue: await d.slots.position(jobId) });
  res.status(202).location(`/v1/jobs/${jobId}`).set(decisionHeaders('job', decision)).json({ ...view, decision: { mode: 'job', ...decision } });
}

// Aborts when the client leaves before its answer is complete.
function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableEnded) gone.abort(new Error('the client went away'));
  });
  return gone.signal;
}
