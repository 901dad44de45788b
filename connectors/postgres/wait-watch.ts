// What a source session is waiting for, seen from another connection: a session blocked on a lock cannot say so
// itself (its connection is busy with the statement). One query per pool every interval covers every session
// watched on that pool, and the lock tables are read only for a session that waits on a lock.
import type { Pool } from 'pg';

export interface WaitState {
  /** 'lock' while the session's backend waits for a heavyweight lock (a table locked by a migration, say). */
  waiting: 'lock' | null;
  /** The relation it waits for, schema-qualified, when the lock is on one. */
  relation: string | null;
  /** Backends holding or queued ahead for that lock. */
  blockedBy: number[];
}

export const NOT_WAITING: WaitState = { waiting: null, relation: null, blockedBy: [] };

const POLL_SQL = `
  SELECT a.pid, a.wait_event_type = 'Lock' AS lock,
         CASE WHEN a.wait_event_type = 'Lock' THEN (
           SELECT format('%I.%I', n.nspname, c.relname) FROM pg_locks l
             JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE l.pid = a.pid AND NOT l.granted LIMIT 1) END AS relation,
         CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS "blockedBy"
    FROM pg_stat_activity a WHERE a.pid = ANY($1::int[])`;

export class WaitWatch {
  private readonly watched = new Map<number, (state: WaitState) => void>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly pool: Pool, private readonly intervalMs: number) {}

  /** Calls `onState` with the backend's state on every poll until the returned function is called. */
  watch(pid: number, onState: (state: WaitState) => void): () => void {
    this.watched.set(pid, onState);
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs).unref();
    return () => {
      if (this.watched.get(pid) !== onState) return;
      this.watched.delete(pid);
      if (!this.watched.size && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private async poll(): Promise<void> {
    if (this.busy || !this.watched.size) return; // a slow source: never more than one poll at a time
    this.busy = true;
    try {
      const res = await this.pool.query<{ pid: number; lock: boolean; relation: string | null; blockedBy: number[] | null }>(POLL_SQL, [[...this.watched.keys()]]);
      for (const row of res.rows) {
        this.watched.get(row.pid)?.(row.lock ? { waiting: 'lock', relation: row.relation, blockedBy: row.blockedBy ?? [] } : NOT_WAITING);
      }
    } catch {
      // The source is unreachable or busy: the sessions themselves will say so. The next poll tries again.
    } finally {
      this.busy = false;
    }
  }
}

const watches = new WeakMap<Pool, WaitWatch>();

/** The watch of a pool (one per pool, made on first use). */
export function waitWatchOf(pool: Pool, intervalMs: number): WaitWatch {
  let watch = watches.get(pool);
  if (!watch) {
    watch = new WaitWatch(pool, intervalMs);
    watches.set(pool, watch);
  }
  return watch;
}
