// Streams one object into S3 (multipart when large) while measuring its bytes and SHA-256.
// Memory is bounded by partSize × queueSize whatever the object's size.
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { encryptionParams, type ObjectEncryption } from './encryption';

export interface UploadTarget {
  bucket: string;
  key: string;
  contentType: string;
  contentDisposition?: string;
  encryption: ObjectEncryption;
}

export interface UploadedObject {
  key: string;
  bytes: number;
  sha256: string;
}

class Meter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

export interface ObjectWriter {
  /** Write the object's bytes here, then end it. */
  input: Writable;
  /** Resolves once the object is stored. */
  done: Promise<UploadedObject>;
  /** Bytes handed to storage so far. */
  bytesWritten(): number;
  abort(): Promise<void>;
}

const PART_SIZE = 8 * 1024 * 1024;

export function writeObject(s3: S3Client, target: UploadTarget, signal?: AbortSignal): ObjectWriter {
  const meter = new Meter({ highWaterMark: 1024 * 1024 });
  const upload = new Upload({
    client: s3,
    // One PutObject or a CreateMultipartUpload: either carries the encryption (its parts need no header of their own).
    params: {
      Bucket: target.bucket, Key: target.key, Body: meter, ContentType: target.contentType, ContentDisposition: target.contentDisposition,
      ...encryptionParams(target.encryption),
    },
    partSize: PART_SIZE,
    queueSize: 2,
    leavePartsOnError: false,
    abortController: signal ? abortControllerFrom(signal) : undefined,
  });
  const done = upload.done().then(() => ({ key: target.key, bytes: meter.bytes, sha256: meter.digest() }));
  return { input: meter, done, bytesWritten: () => meter.bytes, abort: () => upload.abort() };
}

function abortControllerFrom(signal: AbortSignal): AbortController {
  const controller = new AbortController();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
  return controller;
}
