// The compressors of CSV and NDJSON files and inline answers. Output comes in 64 KiB chunks, not zlib's 16 KiB:
// a quarter of the callbacks, ~15% less CPU for gzip -1 on CSV (measured).
import type { Transform } from 'node:stream';
import { constants, createGzip, createZstdCompress } from 'node:zlib';
import type { Compression } from '../domain/extraction-request';

/** zstd level 1: on 2M rows of orders, 35% less CPU than gzip -1 and 7% smaller files (level 3 took more CPU than gzip -1). */
export const ZSTD_LEVEL = 1;
const CHUNK_SIZE = 64 * 1024;

/** A compressor of a whole file for `compression` (Node ≥ 22.15 has zstd); null for none. */
export function compressor(compression: Compression, gzipLevel: number): Transform | null {
  if (compression === 'gzip') return createGzip({ level: gzipLevel, chunkSize: CHUNK_SIZE });
  if (compression === 'zstd') return createZstdCompress({ chunkSize: CHUNK_SIZE, params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } });
  return null;
}
