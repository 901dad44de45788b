// What an inline answer holds until its COPY ends: the body to send. With gzip, each chunk is compressed as it
// arrives (zlib works on another thread, alongside the COPY), so what is held is the compressed body and
// nothing is left to compress once the COPY ends.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { Compression } from '../../domain/extraction-request';

export interface HeldAnswer {
  /** Takes the next chunk of the answer; resolves when the next may come. */
  add(chunk: Buffer): Promise<void>;
  /** The body, once the last chunk has been added. */
  end(): Promise<Buffer[]>;
  /** Lets go of what is held, when the answer will not be sent. */
  discard(): void;
}

export function holdAnswer(compression: Compression, gzipLevel: number): HeldAnswer {
  return compression === 'gzip' ? new GzipHeld(gzipLevel) : new PlainHeld();
}

class PlainHeld implements HeldAnswer {
  private chunks: Buffer[] = [];

  async add(chunk: Buffer): Promise<void> {
    this.chunks.push(chunk);
  }

  async end(): Promise<Buffer[]> {
    return this.chunks;
  }

  discard(): void {
    this.chunks = [];
  }
}

class GzipHeld implements HeldAnswer {
  private readonly gzip: Gzip;
  private readonly compressed: Buffer[] = [];

  constructor(level: number) {
    this.gzip = createGzip({ level });
    this.gzip.on('data', (chunk: Buffer) => this.compressed.push(chunk));
    this.gzip.on('error', () => undefined); // a zlib failure surfaces in add() or end()
  }

  // Waits while zlib is behind, so that its input buffer stays small.
  async add(chunk: Buffer): Promise<void> {
    if (this.gzip.errored) throw this.gzip.errored;
    if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
  }

  async end(): Promise<Buffer[]> {
    this.gzip.end();
    await finished(this.gzip);
    return this.compressed;
  }

  discard(): void {
    this.gzip.destroy();
    this.compressed.length = 0;
  }
}
