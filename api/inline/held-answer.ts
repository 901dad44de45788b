// What an inline answer holds until its COPY ends: the body to send. With gzip or zstd, each chunk is compressed as it
// arrives (zlib works on another thread, alongside the COPY), so what is held is the compressed body and
// nothing is left to compress once the COPY ends.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { compressor } from '../../connectors/compressor';
import type { Compression } from '../../domain/extraction-request';

export interface HeldAnswer {
  /** Takes the next chunk of the answer; resolves when the next may come. `consumed` is called once the chunk's
   * bytes are no longer read (never, for a plain answer, which holds them). */
  add(chunk: Buffer, consumed?: () => void): Promise<void>;
  /** The body, once the last chunk has been added. */
  end(): Promise<Buffer[]>;
  /** Lets go of what is held, when the answer will not be sent. */
  discard(): void;
}

export function holdAnswer(compression: Compression, gzipLevel: number): HeldAnswer {
  const zlib = compressor(compression, gzipLevel);
  return zlib ? new CompressedHeld(zlib) : new PlainHeld();
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

class CompressedHeld implements HeldAnswer {
  private readonly compressed: Buffer[] = [];

  constructor(private readonly zlib: Transform) {
    this.zlib.on('data', (chunk: Buffer) => this.compressed.push(chunk));
    this.zlib.on('error', () => undefined); // a zlib failure surfaces in add() or end()
  }

  // Waits while zlib is behind, so that its input buffer stays small.
  async add(chunk: Buffer, consumed?: () => void): Promise<void> {
    if (this.zlib.errored) throw this.zlib.errored;
    if (!this.zlib.write(chunk, consumed && (() => consumed()))) await once(this.zlib, 'drain');
  }

  async end(): Promise<Buffer[]> {
    this.zlib.end();
    await finished(this.zlib);
    return this.compressed;
  }

  discard(): void {
    this.zlib.destroy();
    this.compressed.length = 0;
  }
}
