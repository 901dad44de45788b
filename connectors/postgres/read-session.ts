// A read-only transaction with the session settings that make output deterministic, and COPY streaming.
import { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { BoundSql, bindValuesSql } from './select-sql';

export interface SessionSettings {
  timeZone: string;
  statementTimeoutMs: number;
}

export class ReadSession {
  private released = false;
  /** Set when the connection broke while checked out; the next query on it fails anyway. */
  lostWith: Error | null = null;
  // A checked-out client without an 'error' listener takes the process down when its connection is killed
  // (source restart, failover, idle_in_transaction_session_timeout). Record the error instead.
  private readonly onError = (err: Error) => {
    this.lostWith = err;
  };

  private constructor(readonly client: PoolClient) {
    client.on('error', this.onError);
  }

  static async open(pool: Pool, settings: SessionSettings): Promise<ReadSession> {
    const client = await pool.connect();
    const session = new ReadSession(client);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(
        `SELECT set_config('TimeZone', $1, true), set_config('statement_timeout', $2, true),
                set_config('DateStyle', 'ISO, MDY', true), set_config('IntervalStyle', 'postgres', true),
                set_config('extra_float_digits', '1', true)`,
        [settings.timeZone, String(settings.statementTimeoutMs)],
      );
    } catch (err) {
      session.close(err as Error);
      throw err;
    }
    return session;
  }

  async bind(values: string[]): Promise<void> {
    const bind = bindValuesSql(values);
    if (bind) await this.client.query(bind.text, bind.values);
  }

  /** Streams `COPY … TO STDOUT`; `rowCount()` is PostgreSQL's own count once the stream has ended. */
  async copy(sql: BoundSql): Promise<{ stream: Readable; rowCount: () => number }> {
    await this.bind(sql.values);
    const stream = this.client.query(copyTo(sql.text));
    return { stream, rowCount: () => stream.rowCount };
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
    this.client.off('error', this.onError);
    const reason = err ?? this.lostWith ?? undefined;
    // A connection destroyed mid-COPY can still report how it ended (say, the server shutting down).
    if (reason) this.client.on('error', () => undefined);
    this.client.release(reason);
  }
}
