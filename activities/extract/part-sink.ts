// One part file being written: COPY's bytes, through gzip or zstd when one applies, into a streaming upload; a
// Parquet part is written by DuckDB beside the reading and uploaded at the end (parquet-part.ts). Writes wait for
// the upload (or the Parquet part's spool) to drain, so a slow store slows the reader instead of growing memory.
import type { S3Client } from '@aws-sdk/client-s3';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Compression, Format } from '../../domain/extraction-request';
import { contentType, type ColumnInfo } from '../../domain/plan';
import type { ObjectEncryption } from '../../connectors/s3/encryption';
import { writeObject, type ObjectWriter, type UploadedObject } from '../../connectors/s3/upload';
import { compressor } from '../../connectors/compressor';
import { ParquetPart } from './parquet-part';

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

// A Parquet row group also ends at about this much COPY text, so that neither wide rows nor many columns grow it
// without bound.
const PARQUET_ROW_GROUP_BYTES = 32 * 1024 * 1024;

export class PartSink {
  rows = 0;
  private readonly writer: ObjectWriter;
  private readonly head: Writable;
  private readonly failed: Promise<never>;
  private readonly parquet: ParquetPart | null;

  constructor(o: PartSinkOptions) {
    this.writer = writeObject(o.s3, {
      bucket: o.bucket, key: o.key, contentType: contentType(o.format, o.compression), contentDisposition: `attachment; filename="${o.fileName}"`,
      encryption: o.encryption,
    }, o.signal);
    this.parquet = o.format === 'parquet'
      ? new ParquetPart({
        columns: o.columns, compression: o.compression, gzipLevel: o.gzipLevel, rowGroupRows: o.parquetRowGroupRows, rowGroupBytes: PARQUET_ROW_GROUP_BYTES, signal: o.signal,
      })
      : null;
    const head = this.parquet ? null : compressor(o.compression, o.gzipLevel);
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
    return Math.max(this.writer.bytesWritten(), this.parquet?.convertedBytes ?? 0);
  }

  /**
   * Resolves when the next write may come; `consumed` is called once the chunk's bytes are no longer read (by
   * gzip, the upload or a Parquet part's spool).
   */
  async write(chunk: Buffer, consumed?: () => void): Promise<void> {
    if (this.parquet) return this.parquet.write(chunk, consumed);
    if (!chunk.length) return consumed?.();
    if (this.head.write(chunk, consumed && (() => consumed()))) return;
    await Promise.race([once(this.head, 'drain'), this.failed]);
  }

  async finish(): Promise<UploadedObject> {
    if (this.parquet) {
      const written = this.parquet.finish(this.writer.input);
      written.catch(() => undefined); // when the upload fails first
      await Promise.race([written, this.writer.done.then(() => written)]); // a failed upload stops consuming
    } else {
      this.head.end();
    }
    return this.writer.done;
  }

  async abort(): Promise<void> {
    await this.parquet?.abort();
    this.head.destroy();
    await this.writer.abort().catch(() => undefined);
  }
}
