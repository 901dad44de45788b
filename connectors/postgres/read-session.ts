// A read-only transaction with the session settings that make output deterministic, and COPY streaming.
import { Pool, PoolClient } from 'pg';
import { CopyRows } from './copy-rows';
import { BoundSql, bindValuesSql } from './select-sql';
import { NOT_WAITING, waitWatchOf, type WaitState } from './wait-watch';

export interface SessionSettings {
  timeZone: string;
  /** statement_timeout; 0: none. */
  statementTimeoutMs: number;
  /** lock_timeout: longest wait for a lock (a table locked by a migration, say) before the statement fails with
   * 55P03; 0: none; absent: the source's own setting. */
  lockTimeoutMs?: number;
  /**
   * Rows of a statement without ORDER BY come in the same order each time the same rows are read: sequential scans
   * start at the table's first block (synchronize_seqscans off: no joining a scan already under way midway) and
   * no parallel plans (whose workers deliver rows in whatever order they finish). A resumed stream skips the rows
   * it already has by counting them, so it needs this.
   */
  stableOrder?: boolean;
  /** The role the session's statements run as (SET ROLE): a connection's queryRole, for a user's query. */
  role?: string | null;
}

const PERMISSION_DENIED = '42501';

export class ReadSession {
  private released = false;
  /** Set when the connection broke while checked out; the next query on it fails anyway. */
  lostWith: Error | null = null;
  // A checked-out client without an 'error' listener takes the process down when its connection is killed
  // (source restart, failover, idle_in_transaction_session_timeout). Record the error instead.
  private readonly onError = (err: Error) => {
    this.lostWith = err;
  };

  /** The backend process of this session on the source. */
  pid = 0;
  /** What the backend waits for, as last seen by `watchWaits`; `lastLockWait` keeps the latest lock it waited on. */
  wait: WaitState = NOT_WAITING;
  lastLockWait: WaitState | null = null;
  private unwatch: (() => void) | null = null;

  private constructor(readonly client: PoolClient, private readonly pool: Pool, readonly role: string | null) {
    client.on('error', this.onError);
  }

  static async open(pool: Pool, settings: SessionSettings): Promise<ReadSession> {
    const client = await pool.connect();
    const session = new ReadSession(client, pool, settings.role ?? null);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const res = await client.query<{ pid: number }>(
        `SELECT pg_backend_pid() AS pid, set_config('TimeZone', $1, true), set_config('statement_timeout', $2, true),
                set_config('lock_timeout', coalesce($3, current_setting('lock_timeout')), true),
                set_config('DateStyle', 'ISO, MDY', true), set_config('IntervalStyle', 'postgres', true),
                set_config('extra_float_digits', '1', true)`,
        [settings.timeZone, String(settings.statementTimeoutMs), settings.lockTimeoutMs === undefined ? null : String(settings.lockTimeoutMs)],
      );
      session.pid = res.rows[0].pid;
      if (settings.stableOrder) {
        await client.query(`SELECT set_config('synchronize_seqscans', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`);
      }
      // LOCAL: the role ends with the transaction, so no pooled connection keeps it. Quoted, never pasted.
      if (session.role) await client.query(`SET LOCAL ROLE ${client.escapeIdentifier(session.role)}`).catch((err) => {
        throw Object.assign(new Error(`the connection's queryRole "${session.role}" cannot be used: ${(err as Error).message}`), {
          code: (err as { code?: unknown }).code,
          field: 'source',
          hint: `GRANT ${client.escapeIdentifier(session.role!)} TO the connection's login role, or register the connection with another queryRole.`,
        });
      });
    } catch (err) {
      session.close(err as Error);
      throw err;
    }
    return session;
  }

  /** A permission the session's role lacks, named with the role to grant it to; other errors as they are. */
  explainDenied(err: unknown): unknown {
    const e = err as { code?: unknown; message?: string };
    if (!this.role || e?.code !== PERMISSION_DENIED) return err;
    return Object.assign(new Error(`${e.message} (the query runs as the connection's queryRole "${this.role}")`), {
      code: PERMISSION_DENIED,
      hint: `Grant what the query reads to ${this.client.escapeIdentifier(this.role)}: GRANT SELECT ON <table> (and USAGE ON SCHEMA <schema>) TO ${this.client.escapeIdentifier(this.role)}.`,
    });
  }

  /** Looks, every `intervalMs` from another connection of the pool, at what the backend waits for (`wait`). */
  watchWaits(intervalMs: number): void {
    this.unwatch ??= waitWatchOf(this.pool, intervalMs).watch(this.pid, (state) => {
      this.wait = state;
      if (state.waiting) this.lastLockWait = state;
    });
  }

  async bind(values: string[]): Promise<void> {
    const bind = bindValuesSql(values);
    if (bind) await this.client.query(bind.text, bind.values);
  }

  /** Streams `COPY … TO STDOUT` as whole rows (copy-rows.ts); `rowCount` is PostgreSQL's own count once it has ended. */
  async copyRows(sql: BoundSql): Promise<CopyRows> {
    await this.bind(sql.values);
    const rows = this.client.query(new CopyRows(sql.text));
    // Closing the session mid-COPY (a cancelled activity) fails the COPY a tick later, when its reader may
    // have stopped listening: the stream must never emit an error that nobody hears.
    rows.on('error', this.onError);
    return rows;
  }

  // A user query may change session settings (set_config(…, false)); reset the connection before the pool
  // hands it to another job.
  async commit(): Promise<void> {
    await this.client.query('COMMIT');
    await this.client.query('DISCARD ALL');
    this.close();
  }

  /** Returns the connection to the pool, or destroys it after an error (it may be mid-COPY). */
  close(err?: Error): void {
    if (this.released) return;
    this.released = true;
    this.unwatch?.();
    this.wait = NOT_WAITING;
    this.client.off('error', this.onError);
    const reason = err ?? this.lostWith ?? undefined;
    // A connection destroyed mid-COPY can still report how it ended (say, the server shutting down).
    if (reason) this.client.on('error', () => undefined);
    this.client.release(reason);
  }
}
