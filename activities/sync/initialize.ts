// Initializing (design.md §2): checks the source, then makes the publication and the slot (slot first, before any
// range is read: every later change is in the stream), the target tables and the watermark; plans the ranges.
import { Context } from '@temporalio/activity';
import type { ClientBase } from 'pg';
import { checkSource, ensurePublication, recreateSlot, SyncSetupError } from '../../connectors/postgres/sync/source-setup';
import { tablesOfSchema, type TableShape } from '../../connectors/postgres/sync/table-shape';
import { ensureTargetTables, ensureWatermarks, resetWatermark, truncateTables } from '../../connectors/postgres/sync/target-setup';
import { splitBlocks, splitKeyRange, type PartRange } from '../../domain/plan';
import { syncErrors } from '../../domain/sync-errors';
import { copies, publicationName, slotName, streams, type SyncSnapshot, type TableCopy } from '../../domain/sync-job';
import { qualified, type SyncRequest } from '../../domain/sync-request';
import { connectionPool, withClient, type SyncDeps } from './deps';
import { toSyncFailure } from './failure';

export interface InitializeInput {
  jobId: string;
  tenantId: string;
  run: number;
  request: SyncRequest;
}

export type Initialized = Pick<SyncSnapshot, 'slot' | 'tables'>;

const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);

export async function initializeSync(deps: SyncDeps, input: InitializeInput): Promise<Initialized> {
  const ctx = Context.current();
  const { jobId, tenantId, run, request } = input;
  try {
    const source = await connectionPool(deps, tenantId, request.source, 'source');
    const target = await connectionPool(deps, tenantId, request.target, 'target');
    const slot = streams(request) ? slotName(jobId) : null;
    return await withClient(source.pool, (sc) => withClient(target.pool, async (tc) => {
      const tables = request.tables?.map(qualified) ?? (await tablesOfSchema(sc, request.schema!));
      if (!tables.length) throw new SyncSetupError(syncErrors.tablesMissing([`(any, in schema ${request.schema})`], 'source'));
      const shapes = await checkSource(sc, { tables, slot });
      ctx.heartbeat();
      const targetShapes = await ensureTargetTables(tc, shapes);
      if (run > 1 && request.options.truncateOnRestart) await truncateTables(tc, targetShapes);
      let made: Initialized['slot'] = null;
      if (slot) {
        // The publication must exist before the slot: the slot decodes with the catalog as of each change.
        await ensurePublication(sc, publicationName(jobId), shapes);
        const consistentPoint = await recreateSlot(sc, slot);
        await ensureWatermarks(tc);
        await resetWatermark(tc, jobId, run, consistentPoint);
        made = { name: slot, publication: publicationName(jobId), consistentPoint };
      }
      const planned: TableCopy[] = [];
      for (const shape of shapes) {
        ctx.heartbeat();
        planned.push(copies(request) ? await planTable(sc, shape, request.options.rowsPerRange) : { ...emptyCopy(shape), ranges: [] });
      }
      return { slot: made, tables: planned };
    }));
  } catch (err) {
    throw toSyncFailure(err);
  }
}

const emptyCopy = (shape: TableShape): Omit<TableCopy, 'ranges' | 'strategy'> & { strategy: TableCopy['strategy'] } => ({
  table: shape.table, strategy: 'block-range', rangesDone: [], rowsEstimated: shape.rowsEstimated, rowsCopied: 0, bytesCopied: 0,
});

// Key ranges on a single integer primary key (min and max by its index), else heap block ranges. The first and
// last ranges are open, so rows added beyond the bounds meanwhile are copied too.
async function planTable(c: ClientBase, shape: TableShape, rowsPerRange: number): Promise<TableCopy> {
  // reltuples is -1 (here 0) before the first ANALYZE: guess from the size, at about 60 rows a page.
  const rows = shape.rowsEstimated || shape.pages * 60;
  const count = Math.max(1, Math.ceil(rows / rowsPerRange));
  const keyType = shape.key.length === 1 ? shape.columns.find((col) => col.name === shape.key[0])?.type : undefined;
  let ranges: PartRange[];
  let strategy: TableCopy['strategy'];
  if (keyType && INTEGER_TYPES.has(keyType)) {
    strategy = 'key-range';
    const key = c.escapeIdentifier(shape.key[0]);
    const res = await c.query<{ min: string | null; max: string | null }>(
      `SELECT min(${key})::text AS min, max(${key})::text AS max FROM ${c.escapeIdentifier(shape.schema)}.${c.escapeIdentifier(shape.name)}`,
    );
    const { min, max } = res.rows[0];
    ranges = min === null || max === null ? [{}] : splitKeyRange(BigInt(min), BigInt(max), count);
  } else {
    strategy = 'block-range';
    ranges = shape.pages > 0 ? splitBlocks(shape.pages, count) : [{}];
  }
  return { ...emptyCopy(shape), strategy, ranges, rowsEstimated: rows };
}
