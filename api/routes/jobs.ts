import type { S3Client } from '@aws-sdk/client-s3';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { EXTRACTION_STATES, isActive, type ExtractionState } from '../../domain/extraction-states';
import { jobPrefix, manifestKey } from '../../domain/plan';
import { deletePrefix, presignGet } from '../../connectors/s3/objects';
import type { SlotStore } from '../../store/job-slots';
import { decodeCursor, type JobRecord, type JobStore } from '../../store/jobs';
import { cancelSignal } from '../../workflows/extraction';
import { jobView } from '../job-view';
import { liveStatus } from '../live-status';
import { badRequest, fromZod, notFound, Problem } from '../problem';

export interface JobRouteDeps {
  jobs: JobStore;
  slots: SlotStore;
  temporal: Client;
  s3: S3Client;
  s3Public: S3Client;
  bucket: string;
  linkTtlSeconds: number;
}

const listQuery = z.object({
  state: z.enum(EXTRACTION_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
}).strict();

export const queuePosition = (slots: SlotStore, jobId: string, state: ExtractionState) =>
  state === 'Queued' ? slots.position(jobId) : null;

export function jobRoutes(d: JobRouteDeps): Router {
  const router = Router();

  const load = async (tenantId: string, id: string): Promise<JobRecord> => {
    const job = await d.jobs.get(tenantId, id);
    if (!job) throw notFound(`job ${id}`);
    return job;
  };
  const view = async (job: JobRecord) => {
    const live = isActive(job.state) ? await liveStatus(d.temporal, job.workflowId) : null;
    const queue = await queuePosition(d.slots, job.id, live?.snapshot?.state ?? job.state);
    return jobView(job, live?.snapshot ?? null, { retry: live?.retry ?? null, queue });
  };

  router.get('/v1/jobs', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) throw fromZod(parsed.error, 'query');
    const { state, limit, cursor } = parsed.data;
    const after = cursor ? decodeCursor(cursor) : undefined;
    if (after === null) throw badRequest('cursor', 'the cursor is not valid', 'pass the nextCursor of a previous page unchanged');
    const page = await d.jobs.list(req.tenant.id, { state, limit, after });
    res.json({ jobs: page.jobs.map((j) => jobView(j, null)), nextCursor: page.nextCursor });
  });

  router.get('/v1/jobs/:id', async (req, res) => {
    res.json(await view(await load(req.tenant.id, req.params.id)));
  });

  router.delete('/v1/jobs/:id', async (req, res) => {
    const job = await load(req.tenant.id, req.params.id);
    if (isActive(job.state)) {
      await d.temporal.workflow.getHandle(job.workflowId).signal(cancelSignal);
      return res.status(202).json(await view(job));
    }
    // A completed job's workflow may still be waiting to expire its files: end it first.
    await d.temporal.workflow.getHandle(job.workflowId).terminate('job deleted').catch((err) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
    await deletePrefix(d.s3, d.bucket, jobPrefix(job.tenantId, job.id));
    await d.jobs.delete(job.tenantId, job.id);
    res.status(204).end();
  });

  router.get('/v1/jobs/:id/files', async (req, res) => {
    const job = await load(req.tenant.id, req.params.id);
    if (!job.manifest) {
      const why = job.state === 'Failed' ? 'it failed before any part was finished' : 'files can be downloaded once it is Completed';
      throw new Problem(409, 'Files not ready', `job ${job.id} is ${job.state}; ${why}`, { state: job.state });
    }
    if (job.filesExpiredAt) {
      throw new Problem(410, 'Files expired', `the files of job ${job.id} expired at ${job.filesExpiredAt.toISOString()} and were deleted`, {
        expiredAt: job.filesExpiredAt.toISOString(), hint: `restart the job (POST /v1/jobs/${job.id}/restart) to extract the data again`,
      });
    }
    const m = job.manifest;
    // Links never outlive the files.
    const untilExpiry = job.filesExpireAt ? Math.floor((job.filesExpireAt.getTime() - Date.now()) / 1000) : Infinity;
    const ttl = Math.max(1, Math.min(d.linkTtlSeconds, untilExpiry));
    const expiresAt = new Date(Date.now() + ttl * 1000);
    const fileName = (key: string) => key.slice(key.lastIndexOf('/') + 1);
    const sign = (key: string) => presignGet(d.s3Public, d.bucket, key, ttl, `${job.id}-${fileName(key)}`);
    res.json({
      jobId: job.id,
      complete: m.complete,
      format: m.format,
      compression: m.compression,
      columns: m.columns,
      rows: m.rows,
      bytes: m.bytes,
      linksExpireAt: expiresAt.toISOString(),
      filesExpireAt: job.filesExpireAt?.toISOString() ?? null,
      manifest: { url: await sign(manifestKey(job.tenantId, job.id)) },
      parts: await Promise.all(m.parts.map(async (p) => ({
        index: p.index, fileName: fileName(p.key), rows: p.rows, bytes: p.bytes, sha256: p.sha256, url: await sign(p.key),
      }))),
    });
  });

  return router;
}
