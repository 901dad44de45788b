// What part and stream activities share: the run's read spec, a COPY of it, and a part file to write.
import type { ReadSpec, PartRange } from '../../domain/plan';
import { partFileName, partKey } from '../../domain/plan';
import { catalogError } from '../../connectors/postgres/catalog';
import { copyOutput } from '../../connectors/postgres/copy-output';
import { ReadSession } from '../../connectors/postgres/read-session';
import { sourcePool, type ExtractDeps } from './deps';
import { PartSink } from './part-sink';

export interface RunRef {
  jobId: string;
  tenantId: string;
  run: number;
}

// A user's query runs as the connection's queryRole (when it has one); a table is read as the login role.
export async function openSession(deps: ExtractDeps, tenantId: string, spec: Pick<ReadSpec, 'source' | 'timeZone'>, userQuery: boolean, stableOrder = false) {
  const { pool, queryRole } = await sourcePool(deps, tenantId, spec.source);
  return ReadSession.open(pool, {
    timeZone: spec.timeZone, statementTimeoutMs: deps.statementTimeoutMs, lockTimeoutMs: deps.lockTimeoutMs, stableOrder, role: userQuery ? queryRole : null,
  });
}

export interface CopyOptions {
  range?: PartRange;
  /** A stream's: rows of the selection to skip (see offsetSql). */
  offset?: number;
  /** Set as soon as the session is open, so the caller can report what it waits for. */
  onSession?: (session: ReadSession) => void;
}

// Opens a read session and a COPY of the selection; the caller owns the session. An abort closes the
// connection at once, so a cancelled activity does not wait for the next row of a slow query. The session is
// watched for lock waits while it lives.
export async function openCopy(deps: ExtractDeps, ref: RunRef, spec: ReadSpec, signal: AbortSignal, o: CopyOptions = {}) {
  const stream = spec.strategy === 'single-stream';
  const session = await openSession(deps, ref.tenantId, spec, spec.select.kind === 'query', stream);
  try {
    session.watchWaits(deps.waitPollMs ?? 2000);
    o.onSession?.(session);
    const { copy, rows, rowCount } = await copyOutput(session, spec.select, spec.format, spec.strategy, o.range, stream ? (o.offset ?? 0) : undefined);
    signal.throwIfAborted(); // cancelled while connecting: the listener below would never hear of it
    signal.addEventListener('abort', () => {
      session.close(new Error('cancelled'));
      copy.destroy(new Error('cancelled'));
    }, { once: true });
    return { session, rows, rowCount };
  } catch (err) {
    session.close(err as Error);
    throw err;
  }
}

export const newSink = (deps: ExtractDeps, ref: RunRef, spec: ReadSpec, index: number, signal: AbortSignal) =>
  new PartSink({
    s3: deps.s3, bucket: deps.bucket, encryption: deps.encryption, key: partKey(ref.tenantId, ref.jobId, ref.run, index, spec.format, spec.compression),
    fileName: partFileName(index, spec.format, spec.compression),
    format: spec.format, compression: spec.compression, gzipLevel: deps.gzipLevel, signal,
    columns: spec.select.columns, parquetRowGroupRows: deps.parquetRowGroupRows,
  });

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * A statement that waited past lock_timeout says only "canceling statement due to lock timeout". Name what it
 * waited for: the relation the session was seen waiting on and who held it, or else the table read.
 */
export function explainLockTimeout(err: unknown, deps: ExtractDeps, session: ReadSession | null | undefined, table: string | null): unknown {
  if ((err as { code?: unknown })?.code !== LOCK_NOT_AVAILABLE) return err;
  const seen = session?.lastLockWait;
  const relation = seen?.relation ?? table;
  const holders = seen?.blockedBy.length ? `, held by source backend${seen.blockedBy.length > 1 ? 's' : ''} ${seen.blockedBy.join(', ')}` : '';
  const what = relation ? `a lock on ${relation}` : 'a lock';
  return catalogError(
    LOCK_NOT_AVAILABLE,
    `waited longer than the lock timeout (${deps.lockTimeoutMs} ms) for ${what}${holders}`,
    relation
      ? `Sessions holding locks on it: SELECT pid, usename, state, query FROM pg_stat_activity WHERE pid IN (SELECT pid FROM pg_locks WHERE relation = '${relation.replace(/'/g, "''")}'::regclass AND granted).`
      : undefined,
  );
}

// As format('%I') writes names: quoted only when they need it.
const ident = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);

export const tableOf = (spec: Pick<ReadSpec, 'select'>): string | null =>
  spec.select.kind === 'table' ? `${ident(spec.select.schema)}.${ident(spec.select.name)}` : null;
