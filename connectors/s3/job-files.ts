// A completed run's files as a user fetches them: the manifest's figures and a fresh presigned link for the
// manifest and each part, never outliving the files. The API answers GET /v1/jobs/:id/files with it; a
// completion's webhook carries it, and a part's webhook its file's link.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Manifest } from '../../domain/extraction-job';
import { manifestKey } from '../../domain/plan';
import { presignGet } from './objects';

export interface FileLinks {
  s3Public: S3Client;
  bucket: string;
  linkTtlSeconds: number;
  /** Makes the links instead of presigning them (downloads served by Sluice, for a key with an allowlist). */
  linkFor?: (key: string, ttlSeconds: number, fileName: string) => Promise<string> | string;
}

const fileName = (key: string) => key.slice(key.lastIndexOf('/') + 1);

// Links for a job's files, valid for the link TTL but never past the files' expiry.
function signer(d: FileLinks, job: { jobId: string; filesExpireAt: string | null | undefined }) {
  const untilExpiry = job.filesExpireAt ? Math.floor((Date.parse(job.filesExpireAt) - Date.now()) / 1000) : Infinity;
  const ttl = Math.max(1, Math.min(d.linkTtlSeconds, untilExpiry));
  const expiresAt = new Date(Date.now() + ttl * 1000);
  const sign = async (key: string) => {
    const name = `${job.jobId}-${fileName(key)}`;
    return d.linkFor ? d.linkFor(key, ttl, name) : presignGet(d.s3Public, d.bucket, key, ttl, name);
  };
  return { expiresAt, sign };
}

/** A fresh link to one file of a job (a part ready while the job runs). */
export async function fileLink(d: FileLinks, job: { jobId: string; filesExpireAt: string | null | undefined }, key: string) {
  const { expiresAt, sign } = signer(d, job);
  return { url: await sign(key), linkExpiresAt: expiresAt.toISOString() };
}

export async function jobFiles(d: FileLinks, job: { tenantId: string; jobId: string; run: number; manifest: Manifest; filesExpireAt: string | null | undefined }) {
  const m = job.manifest;
  const { expiresAt, sign } = signer(d, job);
  return {
    jobId: job.jobId,
    run: job.run,
    complete: m.complete,
    format: m.format,
    compression: m.compression,
    columns: m.columns,
    rows: m.rows,
    bytes: m.bytes,
    linksExpireAt: expiresAt.toISOString(),
    filesExpireAt: job.filesExpireAt ?? null,
    manifest: { url: await sign(manifestKey(job.tenantId, job.jobId, job.run)) },
    parts: await Promise.all(m.parts.map(async (p) => ({
      index: p.index, fileName: fileName(p.key), rows: p.rows, bytes: p.bytes, sha256: p.sha256, url: await sign(p.key),
    }))),
  };
}
