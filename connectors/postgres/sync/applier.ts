// Applies reduced changes to the target inside one open transaction, and commits them together with the sync's
// watermark (design.md §4): after a crash the target holds either a batch and its watermark, or neither.
import type { Pool, PoolClient, QueryResult } from 'pg';
import { reduceChanges, type Change, type RowValues, type Upsert } from '../../../domain/change-batch';
import { quoteTable, type ColumnShape, type TableShape } from './table-shape';
import { advanceWatermarkSql, lockWatermarkSql, watermarkOf, type Watermark } from './target-setup';
import { compareLsn } from './wal-reader';
import { deleteKeysSql, rowsByKeySql, textArray, upsertRowsSql } from './upsert-sql';

const ROWS_PER_STATEMENT = 5000;

/** Another instance (or a newer attempt) owns the target now: this stream must stop. */
export class StaleStreamError extends Error {}

export interface CommitPoint {
  lsn: string;
  commitTime: Date;
  records: number;
  bytes: number;
}

export class Applier {
  private client: PoolClient | null = null;
  private inTransaction = false;
  /** The watermark as begin() locked it. */
  private locked: Watermark | null = null;

  constructor(
    private readonly target: Pool,
    private readonly source: Pool,
    private readonly job: { jobId: string; run: number },
    /** Target shapes by "schema.name"; new columns are added as the source adds them. */
    readonly shapes: Map<string, TableShape>,
  ) {}

  get open(): boolean {
    return this.inTransaction;
  }

  /**
   * Opens the target transaction and locks the watermark row (one stream at a time writes the target). One
   * round trip: a busy stream opens many small transactions a second.
   */
  async begin(): Promise<Watermark> {
    this.client ??= await this.target.connect();
    const c = this.client;
    this.inTransaction = true;
    const [, locked] = (await c.query(`BEGIN; ${lockWatermarkSql(c, this.job.jobId)}`)) as unknown as QueryResult[];
    const w = watermarkOf(locked.rows[0]);
    if (!w || w.run !== this.job.run) throw new StaleStreamError(`the target's watermark belongs to instance ${w?.run ?? 'none'}, not ${this.job.run}`);
    this.locked = w;
    return w;
  }

  async apply(changes: Change[]): Promise<void> {
    const c = this.inOpenTransaction();
    for (const step of reduceChanges(changes, (table) => this.shape(table).key)) {
      if (step.kind === 'truncate') {
        await c.query(`TRUNCATE ${step.tables.map((t) => quoteTable(c, this.shape(t))).join(', ')}`);
        continue;
      }
      const shape = this.shape(step.table);
      const upserts = await this.fill(shape, step.upserts);
      for (let i = 0; i < step.deletes.length; i += ROWS_PER_STATEMENT) {
        const keys = step.deletes.slice(i, i + ROWS_PER_STATEMENT);
        await c.query(deleteKeysSql(c, shape), shape.key.map((k) => textArray(keys, k)));
      }
      for (const [columns, rows] of byColumns(upserts)) {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          const part = rows.slice(i, i + ROWS_PER_STATEMENT);
          await c.query(upsertRowsSql(c, shape, columns), columns.map((col) => textArray(part, col)));
        }
      }
    }
  }

  /** A column the source added: added on the target in the open transaction. */
  async addColumns(table: string, columns: ColumnShape[]): Promise<void> {
    const c = this.inOpenTransaction();
    const shape = this.shape(table);
    const target = quoteTable(c, shape);
    for (const col of columns) {
      const name = c.escapeIdentifier(col.name);
      // A constant default gives the rows already there their value without a rewrite; then it goes, as the
      // target takes every later value from the stream.
      const fill = col.missingValue === undefined ? '' : ` DEFAULT ${col.missingValue === null ? 'NULL' : c.escapeLiteral(col.missingValue)}::${col.type}`;
      await c.query(`ALTER TABLE ${target} ADD COLUMN IF NOT EXISTS ${name} ${col.type}${fill}`);
      if (fill) await c.query(`ALTER TABLE ${target} ALTER COLUMN ${name} DROP DEFAULT`);
    }
    shape.columns.push(...columns.map((col) => ({ ...col, notNull: false })));
  }

  /**
   * Commits the applied changes with the watermark; never moves the watermark back. The row has been locked since
   * begin(), so what it held then is what it holds now: the check needs no statement of its own, and the update
   * and the commit go in one round trip.
   */
  async commit(point: CommitPoint): Promise<void> {
    const c = this.inOpenTransaction();
    if (!this.locked || compareLsn(this.locked.lsn, point.lsn) > 0) {
      await this.rollback();
      throw new StaleStreamError(`the target's watermark is past ${point.lsn}`);
    }
    await c.query(`${advanceWatermarkSql(c, this.job, point)}; COMMIT`);
    this.inTransaction = false;
    this.locked = null;
  }

  async rollback(): Promise<void> {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    this.locked = null;
    await this.client?.query('ROLLBACK').catch(() => undefined);
  }

  /** Ends the target session; a broken one is discarded rather than returned to the pool. */
  release(err?: Error): void {
    this.inTransaction = false;
    this.locked = null;
    this.client?.release(err);
    this.client = null;
  }

  // Every write goes into the open transaction: one rolled back under a batch must not let the rest of the batch,
  // or the watermark, be written in autocommit.
  private inOpenTransaction(): PoolClient {
    if (!this.inTransaction || !this.client) throw new Error('the target transaction was rolled back while a batch was being applied');
    return this.client;
  }

  private shape(table: string): TableShape {
    const shape = this.shapes.get(table);
    if (!shape) throw new Error(`a change for ${table}, which this sync does not copy`);
    return shape;
  }

  // Unchanged TOASTed values: from the target's row before the batch (the old key's row when the key changed),
  // else from the source's current row; a row found in neither was deleted since, and its delete follows.
  private async fill(shape: TableShape, upserts: Upsert[]): Promise<RowValues[]> {
    const partial = upserts.filter((u) => u.fillFrom);
    if (!partial.length) return upserts.map((u) => u.row);
    const fromTarget = await rowsByKey(this.client!, shape, partial.map((u) => u.fillFrom!));
    const missing = partial.filter((u) => !fromTarget.has(keyText(shape, u.fillFrom!)));
    const fromSource = missing.length ? await this.withSource((s) => rowsByKey(s, shape, missing.map((u) => u.row))) : new Map();
    const rows: RowValues[] = [];
    for (const u of upserts) {
      if (!u.fillFrom) {
        rows.push(u.row);
        continue;
      }
      const base = fromTarget.get(keyText(shape, u.fillFrom)) ?? fromSource.get(keyText(shape, u.row));
      if (!base) continue;
      const row = { ...u.row };
      for (const [col, value] of Object.entries(row)) if (value === undefined) row[col] = base[col];
      rows.push(row);
    }
    return rows;
  }

  private async withSource<T>(read: (c: PoolClient) => Promise<T>): Promise<T> {
    const s = await this.source.connect();
    try {
      return await read(s);
    } finally {
      s.release();
    }
  }
}

const keyText = (shape: TableShape, row: RowValues) => JSON.stringify(shape.key.map((k) => row[k] ?? null));

async function rowsByKey(c: PoolClient, shape: TableShape, keys: RowValues[]): Promise<Map<string, RowValues>> {
  const found = new Map<string, RowValues>();
  for (let i = 0; i < keys.length; i += ROWS_PER_STATEMENT) {
    const part = keys.slice(i, i + ROWS_PER_STATEMENT);
    const res = await c.query<unknown[]>({ text: rowsByKeySql(c, shape), values: shape.key.map((k) => part.map((key) => key[k] ?? null)), rowMode: 'array' });
    for (const values of res.rows) {
      const key = values.slice(0, shape.key.length) as (string | null)[];
      const row: RowValues = {};
      shape.columns.forEach((col, j) => (row[col.name] = values[shape.key.length + j] as string | null));
      found.set(JSON.stringify(key), row);
    }
  }
  return found;
}

// Rows with the same columns go in one statement (a row whose relation lacked a column leaves it alone).
function byColumns(rows: RowValues[]): Map<string[], RowValues[]> {
  const groups: { columns: string[]; rows: RowValues[] }[] = [];
  // Rows of one relation have the same columns in the same order, unless a column was added within the batch:
  // compare with the group of the row before rather than list each row's columns.
  let last: { columns: string[]; rows: RowValues[] } | undefined;
  for (const row of rows) {
    if (!last || !hasColumns(row, last.columns)) {
      last = groups.find((g) => hasColumns(row, g.columns));
      if (!last) groups.push((last = { columns: Object.keys(row), rows: [] }));
    }
    last.rows.push(row);
  }
  return new Map(groups.map((g) => [g.columns, g.rows]));
}

/** The row's columns are `columns`, in that order (another order makes a group of its own: still correct). */
function hasColumns(row: RowValues, columns: string[]): boolean {
  let n = 0;
  for (const c in row) if (columns[n++] !== c) return false;
  return n === columns.length;
}
