// The errors a sync stops on that only a person can fix, each naming what to change. Pure.
import type { JobError } from './errors';

const fatal = (code: string, message: string, suggestion: string): JobError => ({ code, message, sqlstate: null, retryable: false, suggestion });

export const syncErrors = {
  connectionMissing: (name: string, role: 'source' | 'target') =>
    fatal('connection_missing', `no connection "${name}" with role ${role} is registered for this tenant`, `Register it (POST /v1/connections) with role ${role}, then restart the sync.`),
  walLevel: (level: string) =>
    fatal('wal_level_not_logical', `the source has wal_level = ${level}; logical replication needs logical`,
      'Set wal_level = logical in the source\'s postgresql.conf (ALTER SYSTEM SET wal_level = logical) and restart the server, then restart the sync.'),
  replicationPrivilege: (user: string) =>
    fatal('replication_not_permitted', `the source role "${user}" may not replicate`,
      `Grant it: ALTER ROLE "${user}" REPLICATION; (or use a role that has it), then restart the sync.`),
  noFreeSlot: (max: number) =>
    fatal('no_free_replication_slot', `all ${max} replication slots of the source are in use`,
      'Drop an unused slot (SELECT pg_drop_replication_slot(name) FROM pg_replication_slots WHERE NOT active) or raise max_replication_slots (needs a restart), then restart the sync.'),
  tablesMissing: (tables: string[], where: 'source' | 'target') =>
    fatal('undefined_table', `the ${where} has no table ${tables.join(', ')}`,
      where === 'source' ? 'Check the names in "tables" (schema.table); only ordinary and partitioned tables can be synced.' : 'Create the table on the target, or let the sync create it by dropping the one in the way.'),
  noKey: (tables: string[]) =>
    fatal('table_without_primary_key', `${tables.join(', ')} ${tables.length > 1 ? 'have' : 'has'} no primary key`,
      'Add a primary key (ALTER TABLE … ADD PRIMARY KEY (…)); a sync applies changes by key. Tables with REPLICA IDENTITY FULL but no key are not supported.'),
  replicaIdentity: (tables: string[]) =>
    fatal('replica_identity_unusable', `${tables.join(', ')} ${tables.length > 1 ? 'do' : 'does'} not log the primary key of changed rows (REPLICA IDENTITY NOTHING or USING INDEX)`,
      'Run ALTER TABLE … REPLICA IDENTITY DEFAULT (or FULL) on the source.'),
  targetKeyMismatch: (table: string, source: string[], target: string[]) =>
    fatal('target_table_mismatch', `the target's ${table} has primary key (${target.join(', ') || 'none'}), the source's (${source.join(', ')})`,
      'Give the target table the same primary key as the source, or drop it and restart the sync so Sluice creates it.'),
  targetColumnsMissing: (table: string, columns: string[]) =>
    fatal('target_table_mismatch', `the target's ${table} lacks column${columns.length > 1 ? 's' : ''} ${columns.join(', ')}`,
      'Add the columns on the target (same types as on the source), or drop the table and restart the sync so Sluice creates it.'),
  schemaChange: (table: string, what: string) =>
    fatal('unsupported_schema_change', `${table} changed on the source in a way the stream cannot apply: ${what}`,
      'Make the same change on the target table (or drop it, and the sync makes it anew), then restart the sync: it copies the tables again.'),
  slotLost: (slot: string) =>
    fatal('slot_lost', `the replication slot ${slot} is gone or was invalidated (its WAL was removed)`,
      'Changes since the slot was lost cannot be streamed: restart the sync to copy the tables again. Keep pauses shorter, or raise max_slot_wal_keep_size.'),
};
