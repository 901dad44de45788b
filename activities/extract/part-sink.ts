// One part file being written: COPY's bytes, through gzip or the Parquet encoder when they apply, into a
// streaming upload. Writes wait for the upload to drain, so a slow store slows the reader instead of growing memory.
import type { S3Client } from '@aws-sdk/client-s3';
import { once } from 'node:events';
import type { Transform, Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Compression, Format } from '../../domain/extraction-request';
import { contentType, type ColumnInfo } from '../../domain/plan';
import type { ObjectEncryption } from '../../connectors/s3/encryption';
import { writeObject, type ObjectWriter, type UploadedObject } from '../../connectors/s3/upload';
import { ParquetEncoder } from './parquet-encoder';

export interface PartSinkOptions {
  s3: S3Client;
  bucket: string;
  encryption: ObjectEncryption;
  key: string;
  fileName: string;
  format: Format;
  compression: Compression;
  gzipLevel: number;
  columns: ColumnInfo[];
  parquetRowGroupRows: number;
  signal?: AbortSignal;
}

// A Parquet part gathers at most about this much memory of values before it writes them as a row group.
const PARQUET_ROW_GROUP_BYTES = 32 * 1024 * 1024;

function encoder(o: PartSinkOptions): Transform | null {
  if (o.format === 'parquet') {
    const { columns, compression, gzipLevel } = o;
    return new ParquetEncoder({ columns, compression, gzipLevel, rowGroupRows: o.parquetRowGroupRows, rowGroupBytes: PARQUET_ROW_GROUP_BYTES });
  }
  return o.compression === 'gzip' ? createGzip({ level: o.gzipLevel }) : null;
}

export class PartSink {
  rows = 0;
  private readonly writer: ObjectWriter;
  private readonly head: Writable;
  private readonly failed: Promise<never>;

  constructor(o: PartSinkOptions) {
    this.writer = writeObject(o.s3, {
      bucket: o.bucket, key: o.key, contentType: contentType(o.format, o.compression), contentDisposition: `attachment; filename="${o.fileName}"`,
      encryption: o.encryption,
    }, o.signal);
    const head = encoder(o);
    if (head) {
      head.pipe(this.writer.input);
      head.on('error', (err) => this.writer.input.destroy(err));
      this.head = head;
    } else {
      this.head = this.writer.input;
    }
    // A failed upload stops consuming: turn that into an error for a writer waiting on 'drain'.
    this.failed = this.writer.done.then(() => Promise.reject(new Error('upload finished before its input ended')));
    this.failed.catch(() => undefined);
  }

  bytesWritten(): number {
    return this.writer.bytesWritten();
  }

  async write(chunk: Buffer): Promise<void> {
    if (!chunk.length || this.head.write(chunk)) return;
    await Promise.race([once(this.head, 'drain'), this.failed]);
  }

  async finish(): Promise<UploadedObject> {
    this.head.end();
    return this.writer.done;
  }

  async abort(): Promise<void> {
    this.head.destroy();
    await this.writer.abort().catch(() => undefined);
  }
}
