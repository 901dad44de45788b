// Streams an object from S3 to an HTTP response, honouring a Range request (one range; S3 answers it), with the
// headers a download client resumes by: Accept-Ranges, Content-Range, Content-Length, ETag, Last-Modified.
import { GetObjectCommand, NoSuchKey, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type StreamOutcome = 'sent' | 'not_found' | 'range_not_satisfiable';

export async function streamObject(s3: S3Client, bucket: string, key: string, range: string | undefined, fileName: string, res: Response): Promise<StreamOutcome> {
  let out;
  try {
    out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range && /^bytes=\d*-\d*$/.test(range) ? range : undefined }));
  } catch (err) {
    if (err instanceof NoSuchKey) return 'not_found';
    if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 416) return 'range_not_satisfiable';
    throw err;
  }
  res.status(out.ContentRange ? 206 : 200);
  res.set({
    'Accept-Ranges': 'bytes',
    'Content-Type': out.ContentType ?? 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${fileName}"`,
    ...(out.ContentLength !== undefined ? { 'Content-Length': String(out.ContentLength) } : {}),
    ...(out.ContentRange ? { 'Content-Range': out.ContentRange } : {}),
    ...(out.ETag ? { ETag: out.ETag } : {}),
    ...(out.LastModified ? { 'Last-Modified': out.LastModified.toUTCString() } : {}),
  });
  await pipeline(out.Body as Readable, res);
  return 'sent';
}
