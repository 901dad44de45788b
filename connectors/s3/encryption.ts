// Server-side encryption of the objects Sluice writes: SSE-S3 (`AES256`) or SSE-KMS (`aws:kms`). Only writes
// name it; S3 decrypts for every authorized read, presigned GET links included, so readers need nothing.
import type { ServerSideEncryption } from '@aws-sdk/client-s3';

export const SSE_MODES = ['none', 'AES256', 'aws:kms'] as const;

export interface ObjectEncryption {
  mode: (typeof SSE_MODES)[number];
  /** With `aws:kms`: the KMS key; unset, the store's default key. */
  kmsKeyId?: string;
}

/** The fields of a PutObject or CreateMultipartUpload request that ask for `e`. */
export function encryptionParams(e: ObjectEncryption): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string } {
  if (e.mode === 'none') return {};
  if (e.mode === 'aws:kms' && e.kmsKeyId) return { ServerSideEncryption: e.mode, SSEKMSKeyId: e.kmsKeyId };
  return { ServerSideEncryption: e.mode };
}
