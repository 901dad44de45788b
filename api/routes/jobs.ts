import type { S3Client } from '@aws-sdk/client-s3';
import { Router } from 'express';
import { z } from 'zod';
import { EXTRACTION_STATES } from '../../domain/lifecycle';
import { SCHEDULE_ID } from '../ids';
import { jobFiles } from '../../connectors/s3/job-files';
import type { SlotStore } from '../../store/job-slots';
import { decodeCursor, type JobRecord, type JobStore } from '../../store/jobs';
import type { PartProgressStore } from '../../store/part-progress';
import { actOn, type JobControl } from '../job-control';
import { jobView, runView } from '../job-view';
import { listQuerySchema, parseListQuery } from '../list-query';
import type { DownloadTokens } from '../download-token';
import { notFound, Problem } from '../problem';
import { sluiceLinks } from './downloads';

/** ?state=&scheduleId=&limit=&cursor= (also what the OpenAPI document shows). */
export const jobListQuerySchema = listQuerySchema(EXTRACTION_STATES).extend({
  scheduleId: z.string().regex(SCHEDULE_ID, 'is not a schedule id; ids look like sch_ and 20 hex digits').optional().describe('only the jobs this schedule made'),
});

export interface JobRouteDeps {
  jobs: JobStore;
  slots: SlotStore;
  progress: PartProgressStore;
  control: JobControl;
  s3Public: S3Client;
  bucket: string;
  downloadTokens: DownloadTokens;
  linkTtlSeconds: number;
}

/** Reading a job: its record, what its parts report, its queue place. */
export function jobReader(d: Pick<JobRouteDeps, 'jobs' | 'slots' | 'progress' | 'control'>) {
  // Parts report every couple of seconds and are retried elsewhere after a heartbeat timeout; twice that without
  // news means no worker is moving the job.
  const staleAfterMs = 2 * d.control.options.heartbeatTimeoutSeconds * 1000;
  return {
    staleAfterMs,
    async load(tenantId: string, id: string): Promise<JobRecord> {
      const job = await d.jobs.get(tenantId, id);
      if (!job) throw notFound(`job ${id}`);
      return job;
    },
    async view(job: JobRecord) {
      const s = job.snapshot;
      const [live, queue] = await Promise.all([
        s.state === 'Running' ? d.progress.totals(job.id, s.run) : null,
        s.state === 'Queued' ? d.slots.position(job.id) : null,
      ]);
      return jobView(job, { live, queue, staleAfterMs });
    },
  };
}

export function jobRoutes(d: JobRouteDeps): Router {
  const router = Router();
  const { load, view, staleAfterMs } = jobReader(d);

  router.get('/v1/jobs', async (req, res) => {
    const page = await d.jobs.list(req.tenant.id, parseListQuery(req.query, jobListQuerySchema, decodeCursor));
    const running = page.jobs.filter((j) => j.snapshot.state === 'Running').map((j) => ({ jobId: j.id, run: j.snapshot.run }));
    const live = await d.progress.totalsOf(running);
    res.json({ jobs: page.jobs.map((j) => jobView(j, { live: live.get(j.id) ?? null, staleAfterMs })), nextCursor: page.nextCursor });
  });

  router.get('/v1/jobs/:id', async (req, res) => {
    res.json(await view(await load(req.tenant.id, req.params.id)));
  });

  router.get('/v1/jobs/:id/runs', async (req, res) => {
    const job = await load(req.tenant.id, req.params.id);
    const [runs, live] = await Promise.all([d.jobs.runs(job.id), d.progress.totals(job.id, job.snapshot.run)]);
    res.json({ jobId: job.id, runs: runs.map((r) => runView(r, r.run === job.snapshot.run ? { snapshot: job.snapshot, live } : null)) });
  });

  // Only an ended job can be deleted (its workflow removes its files, runs and record); an active one gets a 409
  // naming the actions it allows (cancel first).
  router.delete('/v1/jobs/:id', async (req, res) => {
    const job = await load(req.tenant.id, req.params.id);
    const next = await actOn(d.control, job, 'delete');
    if (next === null) return res.status(202).json(await view(job));
    res.status(204).end();
  });

  router.get('/v1/jobs/:id/files', async (req, res) => {
    const job = await load(req.tenant.id, req.params.id);
    const { manifest: m, filesExpiredAt, filesExpireAt, state, run } = job.snapshot;
    if (!m) {
      const why = state === 'Failed' ? 'it failed before any part was finished' : 'files can be downloaded once it is Completed';
      throw new Problem(409, 'Files not ready', `job ${job.id} is ${state}; ${why}`, { state });
    }
    if (filesExpiredAt) {
      throw new Problem(410, 'Files expired', `the files of job ${job.id} expired at ${filesExpiredAt} and were deleted`, {
        expiredAt: filesExpiredAt, hint: `restart the job (POST /v1/jobs/${job.id}/restart) to extract the data again`,
      });
    }
    // A key with an allowlist gets links through Sluice, which check the address again; others get presigned ones.
    const links = req.apiKey.allowedCidrs.length
      ? { ...d, linkFor: sluiceLinks(d.downloadTokens, `${req.protocol}://${req.get('host')}`, job.tenantId, req.apiKey.id) }
      : d;
    res.json(await jobFiles(links, { tenantId: job.tenantId, jobId: job.id, run, manifest: m, filesExpireAt }));
  });

  return router;
}
