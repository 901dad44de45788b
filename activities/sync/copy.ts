// One snapshot range, copied from source to target as a unit that can be redone (connectors/postgres/sync/copy-range.ts).
import { Context } from '@temporalio/activity';
import { copyRange, type RangeCopied } from '../../connectors/postgres/sync/copy-range';
import { SyncSetupError } from '../../connectors/postgres/sync/source-setup';
import { readShapes } from '../../connectors/postgres/sync/table-shape';
import type { PartRange } from '../../domain/plan';
import { syncErrors } from '../../domain/sync-errors';
import { connectionPool, withClient, type SyncDeps } from './deps';
import { toSyncFailure } from './failure';

export interface CopyRangeInput {
  jobId: string;
  tenantId: string;
  run: number;
  source: string;
  target: string;
  table: string;
  strategy: 'key-range' | 'block-range';
  range: PartRange;
}

export async function copySyncRange(deps: SyncDeps, input: CopyRangeInput): Promise<RangeCopied> {
  const ctx = Context.current();
  try {
    const source = await connectionPool(deps, input.tenantId, input.source, 'source');
    const target = await connectionPool(deps, input.tenantId, input.target, 'target');
    const shape = (await withClient(source.pool, (c) => readShapes(c, [input.table]))).get(input.table);
    if (!shape) throw new SyncSetupError(syncErrors.tablesMissing([input.table], 'source'));
    ctx.heartbeat({ bytes: 0 });
    return await copyRange(source.pool, target.pool, { shape, strategy: input.strategy, range: input.range }, {
      onBytes: (bytes) => ctx.heartbeat({ bytes }),
      signal: ctx.cancellationSignal,
    });
  } catch (err) {
    throw toSyncFailure(err);
  }
}
