// What a sync needs on its target: its tables (made when missing, checked when present) and the watermark
// table, whose row for the sync holds the source position applied so far in the same transaction as the data.
import type { ClientBase } from 'pg';
import { syncErrors } from '../../../domain/sync-errors';
import { SyncSetupError } from './source-setup';
import { createTableSql, quoteTable, readShapes, type TableShape } from './table-shape';

export const WATERMARKS = '_sluice.sync_watermarks';

export async function ensureWatermarks(c: ClientBase): Promise<void> {
  await c.query('CREATE SCHEMA IF NOT EXISTS _sluice');
  await c.query(`CREATE TABLE IF NOT EXISTS ${WATERMARKS} (
    job_id text PRIMARY KEY,
    run integer NOT NULL,
    lsn pg_lsn NOT NULL,
    commit_time timestamptz,
    records bigint NOT NULL DEFAULT 0,
    bytes bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
}

/** Makes the target tables that are missing and checks the others; returns the target's shapes. */
export async function ensureTargetTables(c: ClientBase, sources: TableShape[]): Promise<TableShape[]> {
  const existing = await readShapes(c, sources.map((s) => s.table));
  for (const source of sources) {
    const found = existing.get(source.table);
    if (!found) {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${c.escapeIdentifier(source.schema)}`);
      await c.query(createTableSql(c, source));
      continue;
    }
    if (found.key.join(',') !== source.key.join(',')) throw new SyncSetupError(syncErrors.targetKeyMismatch(source.table, source.key, found.key));
    const have = new Set(found.columns.map((col) => col.name));
    const lacking = source.columns.filter((col) => !have.has(col.name)).map((col) => col.name);
    if (lacking.length) throw new SyncSetupError(syncErrors.targetColumnsMissing(source.table, lacking));
  }
  const shapes = await readShapes(c, sources.map((s) => s.table));
  return sources.map((s) => shapes.get(s.table)!);
}

export async function truncateTables(c: ClientBase, shapes: TableShape[]): Promise<void> {
  if (shapes.length) await c.query(`TRUNCATE ${shapes.map((s) => quoteTable(c, s)).join(', ')}`);
}

/** The instance's watermark starts at the slot's consistent point: nothing before it is streamed. */
export async function resetWatermark(c: ClientBase, jobId: string, run: number, lsn: string): Promise<void> {
  await c.query(
    `INSERT INTO ${WATERMARKS} (job_id, run, lsn) VALUES ($1, $2, $3::pg_lsn)
     ON CONFLICT (job_id) DO UPDATE SET run = EXCLUDED.run, lsn = EXCLUDED.lsn, commit_time = NULL, records = 0, bytes = 0, updated_at = clock_timestamp()
     WHERE ${WATERMARKS}.run <= EXCLUDED.run`,
    [jobId, run, lsn],
  );
}

export interface Watermark {
  run: number;
  lsn: string;
  commitTime: Date | null;
  records: number;
  bytes: number;
}

const WATERMARK_COLUMNS = 'run, lsn::text AS lsn, commit_time, records, bytes';
export interface WatermarkRow {
  run: number;
  lsn: string;
  commit_time: Date | null;
  records: string;
  bytes: string;
}
export const watermarkOf = (r: WatermarkRow | undefined): Watermark | null =>
  r ? { run: r.run, lsn: r.lsn, commitTime: r.commit_time, records: Number(r.records), bytes: Number(r.bytes) } : null;

export async function readWatermark(c: ClientBase, jobId: string): Promise<Watermark | null> {
  const res = await c.query<WatermarkRow>(`SELECT ${WATERMARK_COLUMNS} FROM ${WATERMARKS} WHERE job_id = $1`, [jobId]);
  return watermarkOf(res.rows[0]);
}

// The apply sends these with BEGIN and with COMMIT, one simple query each (a round trip less per batch), so their
// values are literals: Sluice's own (the job's id, an LSN the server sent, counts), checked and quoted all the same.
const LSN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i;
const integer = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
};

export const lockWatermarkSql = (c: ClientBase, jobId: string) =>
  `SELECT ${WATERMARK_COLUMNS} FROM ${WATERMARKS} WHERE job_id = ${c.escapeLiteral(jobId)} FOR UPDATE`;

export function advanceWatermarkSql(c: ClientBase, job: { jobId: string; run: number }, to: { lsn: string; commitTime: Date; records: number; bytes: number }): string {
  if (!LSN.test(to.lsn)) throw new Error(`not an LSN: ${to.lsn}`);
  return `UPDATE ${WATERMARKS} SET lsn = ${c.escapeLiteral(to.lsn)}::pg_lsn, commit_time = ${c.escapeLiteral(to.commitTime.toISOString())}::timestamptz,
            records = ${integer(to.records)}, bytes = ${integer(to.bytes)}, updated_at = clock_timestamp()
          WHERE job_id = ${c.escapeLiteral(job.jobId)} AND run = ${integer(job.run)}`;
}

export async function dropWatermark(c: ClientBase, jobId: string): Promise<void> {
  const exists = await c.query(`SELECT to_regclass('${WATERMARKS}') IS NOT NULL AS ok`);
  if (exists.rows[0].ok) await c.query(`DELETE FROM ${WATERMARKS} WHERE job_id = $1`, [jobId]);
}
