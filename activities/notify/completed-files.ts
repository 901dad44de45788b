// A completed run's files, with links made now (they outlive neither the files nor their TTL): what a
// job.completed webhook and mail carry. Null when the job is gone, has run again since, or its files expired.
import { jobFiles, type FileLinks } from '../../connectors/s3/job-files';
import type { JobStore } from '../../store/jobs';

export interface CompletedFilesDeps {
  jobs: Pick<JobStore, 'get'>;
  files: FileLinks;
}

export async function completedRunFiles(d: CompletedFilesDeps, tenantId: string, event: { subject: string; payload: Record<string, unknown> }) {
  const job = await d.jobs.get(tenantId, event.subject);
  const s = job?.snapshot;
  if (!s?.manifest || s.filesExpiredAt || s.run !== event.payload.run) return null;
  return jobFiles(d.files, { tenantId, jobId: s.jobId, run: s.run, manifest: s.manifest, filesExpireAt: s.filesExpireAt });
}
