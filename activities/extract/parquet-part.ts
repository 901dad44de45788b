// A Parquet part: COPY's text is spooled to files in a temp dir of its own, one file a row group (at most
// `rowGroupRows` rows or about `rowGroupBytes` of text); DuckDB, in a process of its own (parquet-writer.ts), writes
// each file as a Parquet file of one row group while the next is spooled; at the end those files are joined into
// the part's file as it is uploaded. For GZIP, DuckDB writes the pages uncompressed and zlib gzips them at
// `gzipLevel` (DuckDB's own GZIP, at a fixed level 6, costs several times zlib's level 1 for files barely smaller).
// The worker holds a chunk of COPY, and DuckDB what it needs for one row group, whatever the part's size; the temp
// dir holds the part's Parquet so far and at most two row groups of text, and is removed whatever the outcome.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Compression } from '../../domain/extraction-request';
import type { ColumnInfo } from '../../domain/plan';
import { FIRST_LINE, UnrepresentableValue, type ParquetCodec } from '../../connectors/duckdb/copy-text-to-parquet';
import { parquetWriter } from '../../connectors/duckdb/parquet-writer';
import { JSON_LOGICAL_TYPE, joinedFile, readPiece, type Leaf, type PageCompression, type ParquetPiece } from '../../connectors/parquet/join-files';
import { convertedType, parquetType, unrepresentable, type ParquetType } from './parquet-columns';

export interface ParquetPartOptions {
  columns: ColumnInfo[];
  compression: Compression;
  /** zlib's level for GZIP pages. */
  gzipLevel: number;
  rowGroupRows: number;
  rowGroupBytes: number;
  /** Aborted: the conversion under way stops. */
  signal?: AbortSignal;
}

const CODECS: Record<Compression, ParquetCodec> = { gzip: 'UNCOMPRESSED', zstd: 'ZSTD', snappy: 'SNAPPY', none: 'UNCOMPRESSED' };
const GZIP = 2; // CompressionCodec
const gzipped = promisify(gzip);
const NL = 0x0a; // COPY's text format escapes newlines inside values: every newline ends a row
const FIRST_BYTES = 4; // "PAR1"

interface Group {
  text: string;
  parquet: string;
  rows: number;
  bytes: number;
}

export class ParquetPart {
  /** Bytes of Parquet written so far (the part's file less its footer). */
  convertedBytes = 0;
  private readonly types: ParquetType[];
  private readonly leaves: Leaf[];
  private readonly gzip: PageCompression | undefined;
  private readonly dir: Promise<string>;
  private readonly stop = new AbortController(); // interrupts the conversion under way
  private group: Group | null = null; // being spooled
  private spool: WriteStream | null = null;
  private groups = 0;
  private readonly pieces: ParquetPiece[] = []; // written, in order
  private converting: Promise<void> = Promise.resolve(); // the latest row group's conversion
  private failure: unknown = null;
  private inRow = false; // the text so far ends inside a row
  private closed = false;

  constructor(private readonly o: ParquetPartOptions) {
    this.types = o.columns.map(parquetType);
    this.leaves = o.columns.map((c, i) => ({
      name: c.name, convertedType: convertedType(this.types[i]), logicalType: this.types[i].kind === 'json' ? JSON_LOGICAL_TYPE : undefined,
    }));
    this.gzip = o.compression === 'gzip' ? { codec: GZIP, compress: (page) => gzipped(page, { level: o.gzipLevel }) } : undefined;
    this.dir = mkdtemp(join(tmpdir(), 'sluice-parquet-'));
    this.dir.catch(() => undefined); // seen by the first write, finish or abort
    o.signal?.addEventListener('abort', this.interrupt, { once: true });
  }

  /**
   * Takes whole rows or parts of rows, as COPY sent them; waits while the spool drains. `consumed` is called once
   * the spool has written all of the chunk's bytes to its files.
   */
  async write(chunk: Buffer, consumed?: () => void): Promise<void> {
    // One hold for this call, one for each spool write of a piece of the chunk.
    let holds = 1;
    const letGo = () => {
      if (--holds === 0) consumed?.();
    };
    const append = (bytes: Buffer) => {
      holds++;
      return this.append(bytes, letGo);
    };
    try {
      if (this.failure) throw this.failure;
      let start = 0;
      for (let nl = chunk.indexOf(NL); nl >= 0; nl = chunk.indexOf(NL, nl + 1)) {
        const group = this.group ?? (await this.open());
        group.rows++;
        if (group.rows === this.o.rowGroupRows || group.bytes + nl + 1 - start >= this.o.rowGroupBytes) {
          await append(chunk.subarray(start, nl + 1));
          start = nl + 1;
          await this.close();
        }
      }
      if (start < chunk.length) {
        if (!this.group) await this.open();
        await append(chunk.subarray(start));
      }
      if (chunk.length) this.inRow = chunk[chunk.length - 1] !== NL;
    } finally {
      letGo();
    }
  }

  /** Writes the rest, then the part's whole file into `out` (and ends it). The temp dir is gone after. */
  async finish(out: Writable): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      if (this.inRow) throw new Error('COPY output ended inside a row');
      if (!this.groups) await this.open(); // no rows: a file of the columns and no row group
      if (this.group) await this.close();
      await this.converting;
      await pipeline(Readable.from(joinedFile(this.pieces, this.leaves)), out);
    } finally {
      await this.release();
    }
  }

  /** Stops, and removes the temp dir. */
  async abort(): Promise<void> {
    this.interrupt();
    await this.release();
  }

  private readonly interrupt = () => this.stop.abort();

  private async open(): Promise<Group> {
    const name = join(await this.dir, `group-${String(this.groups++).padStart(6, '0')}`);
    const group: Group = { text: `${name}.txt`, parquet: `${name}.parquet`, rows: 0, bytes: 0 };
    this.spool = createWriteStream(group.text, { highWaterMark: 1 << 20 });
    this.spool.on('error', (err) => (this.failure ??= err));
    this.spool.write(FIRST_LINE);
    this.group = group;
    return group;
  }

  private async append(bytes: Buffer, written: () => void): Promise<void> {
    this.group!.bytes += bytes.length;
    if (!this.spool!.write(bytes, written)) await once(this.spool!, 'drain');
  }

  // Ends the row group being spooled and starts its conversion once the one before has ended (whose failure
  // ends the part): one conversion at a time, beside the next row group's spooling.
  private async close(): Promise<void> {
    const group = this.group!;
    const spool = this.spool!;
    [this.group, this.spool] = [null, null];
    spool.end();
    await finished(spool);
    await this.converting;
    this.converting = this.convert(group);
    this.converting.catch((err) => (this.failure ??= err));
  }

  private async convert(group: Group): Promise<void> {
    try {
      if (this.closed) throw new Error('the Parquet part was aborted');
      const written = this.gzip ? `${group.parquet}.pages` : group.parquet;
      await parquetWriter.write(group.text, written, { types: this.types, codec: CODECS[this.o.compression], rows: group.rows, bytes: group.bytes }, this.stop.signal);
      if (this.gzip) {
        await pipeline(Readable.from(joinedFile([await readPiece(written)], this.leaves, this.gzip)), createWriteStream(group.parquet));
        await rm(written);
      }
    } catch (err) {
      throw err instanceof UnrepresentableValue ? unrepresentable(this.o.columns[err.column], err.text) : err;
    } finally {
      await rm(group.text, { force: true });
    }
    const piece = await readPiece(group.parquet);
    this.pieces.push(piece);
    this.convertedBytes += piece.footerStart - FIRST_BYTES;
  }

  private async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.o.signal?.removeEventListener('abort', this.interrupt);
    this.spool?.destroy();
    await this.converting.catch(() => undefined); // DuckDB lets go of the files
    await this.dir.then((dir) => rm(dir, { recursive: true, force: true })).catch(() => undefined);
  }
}
