// COPY text in, one Parquet file out. Rows are typed column by column into a row group; a full row group is
// encoded (compressed inside the file, page by page) and pushed on before the next one is gathered, so memory
// holds one row group whatever the size of the part. A row group is full at `rowGroupRows` rows or when its
// values would take about `rowGroupBytes` of memory, whichever comes first, so neither wide rows nor many
// columns grow it without bound.
import { Transform, type TransformCallback } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { Compression } from '../../domain/extraction-request';
import type { ColumnInfo } from '../../domain/plan';
import { CopyTextRows, type CopyField } from '../../connectors/postgres/copy-text-rows';
import { parquetColumn, type ParquetColumn } from './parquet-columns';

// What a value costs in memory beside its text while its row group is gathered and encoded (the JavaScript
// value, its slot in the column, the writer's copies): about this much, measured on orders-like rows.
const VALUE_COST = 100;

export interface ParquetEncoderOptions {
  columns: ColumnInfo[];
  compression: Compression;
  gzipLevel: number;
  rowGroupRows: number;
  rowGroupBytes: number;
}

// Hands what has been encoded so far to the stream (after each row group, and the footer at the end), then
// reuses its buffer.
class ChunkWriter extends ByteWriter {
  constructor(private readonly emit: (bytes: Buffer) => void) {
    super(1 << 16);
  }

  flush(): void {
    if (!this.index) return;
    this.emit(Buffer.from(this.getBytes())); // a copy: the buffer is written over next
    this.index = 0;
  }

  finish(): void {
    this.flush();
  }
}

export class ParquetEncoder extends Transform {
  private readonly rowsIn = new CopyTextRows();
  private readonly columns: ParquetColumn[];
  private readonly schema: SchemaElement[];
  private readonly file: ParquetWriter;
  private values: unknown[][];
  private groupRows = 0;
  private groupBytes = 0;

  constructor(private readonly o: ParquetEncoderOptions) {
    super();
    this.columns = o.columns.map(parquetColumn);
    this.schema = [
      { name: 'root', num_children: o.columns.length },
      ...this.columns.map((c, i): SchemaElement => ({ ...c.element, name: o.columns[i].name, repetition_type: 'OPTIONAL' })),
    ];
    this.file = new ParquetWriter({
      writer: new ChunkWriter((bytes) => this.push(bytes)),
      schema: this.schema,
      codec: o.compression === 'gzip' ? 'GZIP' : 'UNCOMPRESSED',
      compressors: { GZIP: (page) => gzipSync(page, { level: o.gzipLevel }) },
    });
    this.values = this.columns.map(() => []);
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      for (const fields of this.rowsIn.rows(chunk)) {
        this.add(fields);
        if (this.groupRows >= this.o.rowGroupRows || this.groupBytes >= this.o.rowGroupBytes) this.writeGroup();
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  _flush(done: TransformCallback): void {
    try {
      this.rowsIn.end();
      if (this.groupRows) this.writeGroup();
      // The writer would store a JSON column's values as JSON.stringify(value), which turns PostgreSQL's text into
      // a quoted string; so they are written as plain bytes under the JSON logical type, and the footer also names
      // the JSON converted type, which readers such as DuckDB look for.
      for (const element of this.schema) if (element.logical_type?.type === 'JSON') element.converted_type = 'JSON';
      void this.file.finish(); // synchronous: the writer's finish() above pushes the footer
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private add(fields: CopyField[]): void {
    if (fields.length !== this.columns.length) throw new Error(`COPY sent a row of ${fields.length} fields for ${this.columns.length} columns`);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      this.values[i].push(field === null ? null : this.columns[i].read(field));
      this.groupBytes += VALUE_COST + (field?.length ?? 0);
    }
    this.groupRows++;
  }

  private writeGroup(): void {
    const columnData = this.values.map((data, i) => ({ name: this.o.columns[i].name, data, statistics: this.columns[i].statistics }));
    void this.file.write({ columnData, rowGroupSize: this.groupRows }); // synchronous: flush() above returns nothing
    this.values = this.columns.map(() => []);
    this.groupRows = 0;
    this.groupBytes = 0;
  }
}
