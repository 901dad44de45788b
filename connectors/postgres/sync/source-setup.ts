// What a sync needs on its source: the checks made before anything is created, the publication of its tables and
// its replication slot.
import type { ClientBase } from 'pg';
import type { JobError } from '../../../domain/errors';
import { syncErrors } from '../../../domain/sync-errors';
import type { SlotHealth } from '../../../domain/sync-metrics';
import { quoteTable, readShapes, type TableShape } from './table-shape';

export class SyncSetupError extends Error {
  constructor(readonly jobError: JobError) {
    super(jobError.message);
  }
}

/** Checks, in order, what streaming from the source needs (design.md §2 Initializing); throws the first failure. */
export async function checkSource(c: ClientBase, o: { tables: string[]; slot: string | null }): Promise<TableShape[]> {
  const shapes = await readShapes(c, o.tables);
  const missing = [...shapes].filter(([, s]) => !s).map(([t]) => t);
  if (missing.length) throw new SyncSetupError(syncErrors.tablesMissing(missing, 'source'));
  const found = [...shapes.values()] as TableShape[];
  const keyless = found.filter((s) => !s.key.length).map((s) => s.table);
  if (keyless.length) throw new SyncSetupError(syncErrors.noKey(keyless));
  if (!o.slot) return found;

  const facts = await c.query<{ wal_level: string; user: string; replication: boolean; max_slots: number; used_slots: number; ours: boolean }>(
    `SELECT current_setting('wal_level') AS wal_level, current_user AS user,
            (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) AS replication,
            current_setting('max_replication_slots')::int AS max_slots,
            (SELECT count(*)::int FROM pg_replication_slots) AS used_slots,
            EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1) AS ours`,
    [o.slot],
  );
  const f = facts.rows[0];
  if (f.wal_level !== 'logical') throw new SyncSetupError(syncErrors.walLevel(f.wal_level));
  if (!f.replication) throw new SyncSetupError(syncErrors.replicationPrivilege(f.user));
  if (!f.ours && f.used_slots >= f.max_slots) throw new SyncSetupError(syncErrors.noFreeSlot(f.max_slots));
  const unlogged = found.filter((s) => s.replicaIdentity === 'n' || s.replicaIdentity === 'i').map((s) => s.table);
  if (unlogged.length) throw new SyncSetupError(syncErrors.replicaIdentity(unlogged));
  return found;
}

/** The publication holds exactly the sync's tables (made, or corrected when a retry finds it). */
export async function ensurePublication(c: ClientBase, name: string, shapes: TableShape[]): Promise<void> {
  const tables = shapes.map((s) => quoteTable(c, s)).join(', ');
  const exists = await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name]);
  await c.query(exists.rowCount ? `ALTER PUBLICATION ${c.escapeIdentifier(name)} SET TABLE ${tables}` : `CREATE PUBLICATION ${c.escapeIdentifier(name)} FOR TABLE ${tables}`);
}

/**
 * A new slot for a new instance; one left by an earlier instance (or an earlier attempt of this one, before any
 * range was copied) is dropped first, its walsender stopped if a stream still holds it. Returns the slot's
 * consistent point: every change committed after it is in the stream.
 */
export async function recreateSlot(c: ClientBase, slot: string): Promise<string> {
  await dropSlot(c, slot);
  const res = await c.query<{ lsn: string }>(`SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  return res.rows[0].lsn;
}

export async function dropSlot(c: ClientBase, slot: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const held = await c.query<{ pid: number | null }>('SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (!held.rowCount) return;
    if (held.rows[0].pid) await c.query('SELECT pg_terminate_backend($1)', [held.rows[0].pid]);
    try {
      await c.query('SELECT pg_drop_replication_slot($1)', [slot]);
      return;
    } catch (err) {
      // 55006: still active (the terminated walsender has not exited yet).
      if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function dropPublication(c: ClientBase, name: string): Promise<void> {
  await c.query(`DROP PUBLICATION IF EXISTS ${c.escapeIdentifier(name)}`);
}

export async function slotHealth(c: ClientBase, slot: string): Promise<SlotHealth> {
  const res = await c.query<{ retained: string | null; wal_status: string | null; safe_wal_size: string | null }>(
    `SELECT (pg_current_wal_lsn() - restart_lsn)::bigint::text AS retained, wal_status, safe_wal_size::text
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  if (!res.rowCount) return { exists: false, retainedWalBytes: null, walStatus: null, safeWalSize: null };
  const r = res.rows[0];
  const num = (v: string | null) => (v === null ? null : Number(v));
  return { exists: true, retainedWalBytes: num(r.retained), walStatus: r.wal_status, safeWalSize: num(r.safe_wal_size) };
}
