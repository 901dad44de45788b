// Reads Parquet files back with DuckDB: a real reader that shares no code with the writer Sluice uses.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type DuckRow = Record<string, unknown>;

export interface ParquetColumnMeta {
  name: string;
  type: string | null;
  converted_type: string | null;
  logical_type: string | null;
  precision: bigint | null;
  scale: bigint | null;
  type_length: string | null;
  repetition_type: string | null;
  /** The type DuckDB reads the column as. */
  duckdb_type: string | null;
}

export interface RowGroupMeta {
  row_group_id: bigint;
  row_group_num_rows: bigint;
  path_in_schema: string;
  compression: string;
}

export class ParquetReader {
  private files = 0;

  private constructor(private readonly db: DuckDBInstance, private readonly conn: DuckDBConnection, private readonly dir: string) {}

  static async open(): Promise<ParquetReader> {
    const db = await DuckDBInstance.create(':memory:');
    return new ParquetReader(db, await db.connect(), mkdtempSync(join(tmpdir(), 'sluice-parquet-')));
  }

  /** Runs `sql(file)` on the bytes written to a file; DuckDB's values as JavaScript values. */
  async query(bytes: Buffer, sql: (file: string) => string): Promise<DuckRow[]> {
    const file = join(this.dir, `f${this.files++}.parquet`);
    writeFileSync(file, bytes);
    try {
      return (await this.conn.runAndReadAll(sql(`'${file}'`))).getRowObjectsJS();
    } finally {
      rmSync(file);
    }
  }

  rows(bytes: Buffer, select = '*'): Promise<DuckRow[]> {
    return this.query(bytes, (f) => `SELECT ${select} FROM read_parquet(${f})`);
  }

  /** The leaf columns of the file's schema, as the file declares them. */
  async schema(bytes: Buffer): Promise<ParquetColumnMeta[]> {
    const rows = await this.query(bytes, (f) => `SELECT * FROM parquet_schema(${f})`);
    return (rows as unknown as ParquetColumnMeta[]).filter((r) => r.type !== null);
  }

  /** One entry per column chunk: its row group, rows and compression. */
  async chunks(bytes: Buffer): Promise<RowGroupMeta[]> {
    const rows = await this.query(bytes, (f) => `SELECT row_group_id, row_group_num_rows, path_in_schema, compression FROM parquet_metadata(${f})`);
    return rows as unknown as RowGroupMeta[];
  }

  close(): void {
    this.conn.closeSync();
    this.db.closeSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
