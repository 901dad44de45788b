// A job.part_ready event carries a link to its file made at send time, while the file is still offered: the job
// is on the same run (a restart deletes the files) and they have not expired. Otherwise it goes without one.
import { fileLink, type FileLinks } from '../../connectors/s3/job-files';
import { runPrefix } from '../../domain/plan';
import type { JobStore } from '../../store/jobs';

export interface PartReadyDeps {
  jobs: Pick<JobStore, 'get'>;
  files: FileLinks;
}

export async function partReadyData(d: PartReadyDeps, tenantId: string, event: { subject: string; payload: Record<string, unknown> }) {
  const data = event.payload;
  const s = (await d.jobs.get(tenantId, event.subject))?.snapshot;
  if (!s || s.run !== data.run || s.filesExpiredAt || typeof data.fileName !== 'string') return data;
  return { ...data, ...(await fileLink(d.files, s, runPrefix(tenantId, s.jobId, s.run) + data.fileName)) };
}
