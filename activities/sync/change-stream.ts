// Turns pgoutput messages into applied batches: whole source transactions, applied in sets inside one target
// transaction (a big source transaction in pieces, still one target transaction), committed with the watermark
// and only then acknowledged to the source. Keeps what the six metrics need.
import type { Pool } from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import { Applier } from '../../connectors/postgres/sync/applier';
import { SyncSetupError } from '../../connectors/postgres/sync/source-setup';
import type { ColumnShape } from '../../connectors/postgres/sync/table-shape';
import type { Watermark } from '../../connectors/postgres/sync/target-setup';
import { compareLsn, type WalMessage, type WalReader } from '../../connectors/postgres/sync/wal-reader';
import type { Change, RowValues } from '../../domain/change-batch';
import { syncErrors } from '../../domain/sync-errors';

type Msg<T extends WalMessage['tag']> = Extract<WalMessage, { tag: T }>;

// Changes held before they are applied into the open target transaction: bounds memory whatever the size of a
// source transaction.
const CHANGES_PER_PIECE = 5000;
// A batch also closes when nothing more has arrived, or after this long (latency under a steady stream).
const MAX_BATCH_MS = 200;

export interface StreamPosition {
  lsn: string;
  records: number;
  bytes: number;
  /** Source commit time (ms) of the newest transaction applied, heartbeats included. */
  lastCommitMs: number | null;
  /** Source commit time (ms) of the newest data change applied, and when (worker ms) it was applied. */
  lastDataCommitMs: number | null;
  lastDataAppliedAtMs: number | null;
}

export class ChangeStream {
  readonly position: StreamPosition;
  /** Commit time (ms) of the oldest data change received but not yet committed to the target. */
  oldestWaitingDataMs: number | null = null;
  private readonly applier: Applier;
  private pending: Change[] = [];
  private txn: { commitMs: number; skip: boolean } | null = null;
  private batch = { changes: 0, records: 0, bytes: 0, newestDataMs: null as number | null, end: null as { lsn: string; commitMs: number } | null, startedAt: 0 };
  private reader: WalReader | null = null;
  private relationChecked = new Map<number, string>();
  private handling: Promise<unknown> = Promise.resolve();

  constructor(
    target: Pool,
    private readonly source: Pool,
    job: { jobId: string; run: number },
    shapes: Applier['shapes'],
    start: Watermark,
    private readonly batchSize: number,
  ) {
    this.applier = new Applier(target, source, job, shapes);
    this.position = {
      lsn: start.lsn, records: start.records, bytes: start.bytes, lastCommitMs: start.commitTime?.getTime() ?? null,
      lastDataCommitMs: null, lastDataAppliedAtMs: null,
    };
  }

  attach(reader: WalReader): void {
    this.reader = reader;
  }

  /** True when nothing received is waiting: the server's keepalive position may then be acknowledged. */
  get idle(): boolean {
    return this.txn === null && this.batch.end === null && !this.applier.open && (this.reader?.backlog ?? 0) === 0;
  }

  /**
   * Hands one message over; a promise only when it has to wait (an apply, a commit, a relation to check), so the
   * many messages that are only noted cost no promise each. close() waits for the one in progress (see there).
   */
  onMessage(msg: WalMessage): Promise<void> | undefined {
    const handled = this.handle(msg);
    if (handled) this.handling = handled.catch(() => undefined);
    return handled;
  }

  private handle(msg: WalMessage): Promise<void> | undefined {
    switch (msg.tag) {
      case 'begin':
        // Transactions whose commit lies before the watermark were applied before a restart of the stream.
        this.txn = { commitMs: Number((msg.commitTime as unknown as bigint) / 1000n), skip: compareLsn(msg.commitLsn!, this.position.lsn) < 0 };
        if (!this.batch.end) this.batch.startedAt = Date.now();
        return;
      case 'relation':
        return this.txn?.skip ? undefined : this.checkRelation(msg);
      case 'insert':
      case 'update':
      case 'delete':
      case 'truncate':
        if (this.txn?.skip) return;
        this.pending.push(toChange(msg));
        this.batch.changes++;
        this.batch.records += msg.tag === 'truncate' ? msg.relations.length : 1;
        this.batch.bytes += msg.bytes;
        this.batch.newestDataMs = this.txn!.commitMs;
        this.oldestWaitingDataMs ??= this.txn!.commitMs;
        return this.pending.length >= CHANGES_PER_PIECE ? this.applyPending() : undefined;
      case 'commit': {
        const txn = this.txn;
        this.txn = null;
        if (!txn || txn.skip) return;
        this.batch.end = { lsn: msg.commitEndLsn!, commitMs: txn.commitMs };
        const due = this.batch.changes >= this.batchSize || (this.reader?.backlog ?? 0) === 0 || Date.now() - this.batch.startedAt >= MAX_BATCH_MS;
        return due ? this.commitBatch() : undefined;
      }
      default:
        return; // heartbeat messages, origins, types: their transaction's commit is what counts
    }
  }

  private async applyPending(): Promise<void> {
    if (!this.applier.open) await this.applier.begin();
    const changes = this.pending;
    this.pending = [];
    await this.applier.apply(changes);
  }

  private async commitBatch(): Promise<void> {
    const b = this.batch;
    await this.applyPending();
    const p = this.position;
    await this.applier.commit({ lsn: b.end!.lsn, commitTime: new Date(b.end!.commitMs), records: p.records + b.records, bytes: p.bytes + b.bytes });
    p.lsn = b.end!.lsn;
    p.records += b.records;
    p.bytes += b.bytes;
    p.lastCommitMs = b.end!.commitMs;
    if (b.newestDataMs !== null) {
      p.lastDataCommitMs = b.newestDataMs;
      p.lastDataAppliedAtMs = Date.now();
    }
    this.oldestWaitingDataMs = null;
    this.batch = { changes: 0, records: 0, bytes: 0, newestDataMs: null, end: null, startedAt: Date.now() };
    await this.reader?.acknowledge(p.lsn);
  }

  // The first relation message of a table in this stream, and each after a change of it: a column the source
  // added is added on the target; any other difference stops the sync with an error that names it.
  private async checkRelation(rel: Msg<'relation'>): Promise<void> {
    const table = `${rel.schema}.${rel.name}`;
    const signature = JSON.stringify([table, rel.columns.map((c) => [c.name, c.typeOid, c.typeMod]), rel.keyColumns]);
    if (this.relationChecked.get(rel.relationOid) === signature) return;
    const shape = this.applier.shapes.get(table);
    if (!shape) throw new SyncSetupError(syncErrors.schemaChange(table, 'the table was renamed, or is not one this sync copies'));
    const types = await this.source.query<{ type: string }>(
      'SELECT format_type(t.oid, t.mod) AS type FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS t(oid, mod, n) ORDER BY n',
      [rel.columns.map((c) => c.typeOid), rel.columns.map((c) => c.typeMod)],
    );
    const incoming: ColumnShape[] = rel.columns.map((c, i) => ({ name: c.name, type: types.rows[i].type, notNull: false }));
    const have = new Map(shape.columns.map((c) => [c.name, c]));
    const gone = shape.columns.filter((c) => !incoming.some((i) => i.name === c.name)).map((c) => c.name);
    if (gone.length) throw new SyncSetupError(syncErrors.schemaChange(table, `column ${gone.join(', ')} no longer exists on the source (dropped or renamed)`));
    const retyped = incoming.filter((c) => have.has(c.name) && have.get(c.name)!.type !== c.type);
    if (retyped.length) {
      const what = retyped.map((c) => `column ${c.name} is now ${c.type} (the target has ${have.get(c.name)!.type})`).join('; ');
      throw new SyncSetupError(syncErrors.schemaChange(table, what));
    }
    if (rel.keyColumns.join(',') !== shape.key.join(',')) {
      throw new SyncSetupError(syncErrors.schemaChange(table, `its replica identity is now (${rel.keyColumns.join(', ')}), the target's primary key (${shape.key.join(', ')})`));
    }
    const added = incoming.filter((c) => !have.has(c.name));
    if (added.length) {
      // Rows that existed when the column was added read its default without holding it (PostgreSQL's "missing
      // value"); no change in the stream carries it, so the target's column takes the same value for its rows.
      const missing = await this.source.query<{ name: string; value: string | null }>(
        `SELECT attname AS name, (attmissingval::text::text[])[1] AS value FROM pg_attribute
          WHERE attrelid = $1 AND attname = ANY($2) AND atthasmissing`,
        [rel.relationOid, added.map((c) => c.name)],
      );
      const valueOf = new Map(missing.rows.map((r) => [r.name, r.value]));
      for (const c of added) if (valueOf.has(c.name)) c.missingValue = valueOf.get(c.name)!;
      await this.applyPending(); // changes before the relation message have the old columns
      await this.applier.addColumns(table, added);
    }
    this.relationChecked.set(rel.relationOid, signature);
  }

  /** Ends the stream's target session; a batch not committed is rolled back (it is streamed again). */
  async close(err?: Error): Promise<void> {
    // The reader stops without waiting for the message being handled. Rolling back under it would let its later
    // statements run outside the target transaction, the watermark's among them: the watermark would pass changes
    // that were rolled back, and the next stream would skip them for good.
    await this.handling;
    await this.applier.rollback();
    this.applier.release(err);
  }
}

const text = (row: Record<string, unknown> | null): RowValues => (row ?? {}) as RowValues;

// "schema.name" of a relation, made once per Relation message rather than once per change.
const tableNames = new WeakMap<Pgoutput.MessageRelation, string>();
function tableOf(rel: Pgoutput.MessageRelation): string {
  let name = tableNames.get(rel);
  if (name === undefined) tableNames.set(rel, (name = `${rel.schema}.${rel.name}`));
  return name;
}

function toChange(msg: Msg<'insert'> | Msg<'update'> | Msg<'delete'> | Msg<'truncate'>): Change {
  switch (msg.tag) {
    case 'truncate':
      return { kind: 'truncate', tables: msg.relations.map(tableOf) };
    case 'insert':
      return { kind: 'insert', table: tableOf(msg.relation), row: text(msg.new) };
    case 'update': {
      const old = msg.key ?? msg.old;
      return old ? { kind: 'update', table: tableOf(msg.relation), row: text(msg.new), oldKey: text(old) } : { kind: 'update', table: tableOf(msg.relation), row: text(msg.new) };
    }
    case 'delete':
      return { kind: 'delete', table: tableOf(msg.relation), oldKey: text(msg.key ?? msg.old) };
  }
}
