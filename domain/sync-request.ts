// The body of POST /v1/syncs, validated at the API and carried unchanged into the workflow.
import { z } from 'zod';
import { syncNotifySchema } from './notify-request';
import { identifier, splitTableName, tableName } from './extraction-request';
import { isSystemSchema, systemSchemaIssue } from './system-schemas';

export const SYNC_MODES = ['full', 'incremental', 'full+incremental'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const syncOptionsSchema = z
  .object({
    batchSize: int(1, 1_000_000).default(10_000).describe('most changes applied in one target transaction (whole source transactions; a bigger one is applied in pieces inside one target transaction)'),
    heartbeatIntervalSeconds: int(1, 3600).default(5).describe('how often a heartbeat message is written to the source WAL (keeps Idle Time meaningful and an idle slot advancing)'),
    walBudgetBytes: int(1 << 20, Number.MAX_SAFE_INTEGER).default(1 << 30).describe('retained WAL of the slot above which the sync warns'),
    truncateOnRestart: z.boolean().default(false).describe('empty the target tables when the sync is restarted'),
    snapshotParallelism: int(1, 16).default(2).describe('ranges of the snapshot copied at once'),
    rowsPerRange: int(1000, 100_000_000).default(250_000).describe('rows in one snapshot range (each range is copied, and redone after a failure, as a unit)'),
    alerts: z
      .object({
        idleTimeSeconds: int(1, 7 * 24 * 3600).optional().describe('Idle Time above which the sync alerts (default SLUICE_ALERT_IDLE_SECONDS)'),
        emitEventTimeSeconds: int(1, 7 * 24 * 3600).optional().describe('Emit Event Time above which the sync alerts (default SLUICE_ALERT_EMIT_SECONDS)'),
        graceSeconds: int(0, 24 * 3600).optional().describe('how long Idle or Emit Event Time stays above its threshold before the alert opens (default SLUICE_ALERT_GRACE_SECONDS)'),
      })
      .strict()
      .default({})
      .describe("this sync's alert thresholds, over the defaults"),
  })
  .strict();
export type SyncOptions = z.infer<typeof syncOptionsSchema>;

export const syncRequestSchema = z
  .object({
    source: identifier.describe('name of a connection with role source'),
    target: identifier.describe('name of a connection with role target'),
    tables: z.array(tableName).min(1).max(1000).optional().describe('"schema.table" (or "table" in public) of each table to sync'),
    schema: identifier.optional().describe('sync every table of this schema'),
    mode: z.enum(SYNC_MODES).default('full+incremental'),
    options: syncOptionsSchema.default(() => syncOptionsSchema.parse({})),
    notify: syncNotifySchema.optional().describe("extra recipients of this sync's events"),
    start: z.boolean().default(false).describe('start at once instead of waiting in Created'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!r.tables && !r.schema) ctx.addIssue({ code: 'custom', path: ['tables'], message: 'give "tables" or "schema"' });
    if (r.tables && r.schema) ctx.addIssue({ code: 'custom', path: ['schema'], message: '"schema" cannot be combined with "tables"' });
    if (r.tables && new Set(r.tables.map(qualified)).size !== r.tables.length) {
      ctx.addIssue({ code: 'custom', path: ['tables'], message: 'names a table twice' });
    }
    const refuseSystem = (schema: string, path: (string | number)[]) => {
      if (!isSystemSchema(schema)) return;
      const { message, hint } = systemSchemaIssue(schema);
      ctx.addIssue({ code: 'custom', path, message, params: { hint } });
    };
    r.tables?.forEach((t, i) => refuseSystem(splitTableName(t).schema, ['tables', i]));
    if (r.schema) refuseSystem(r.schema, ['schema']);
  });
export type SyncRequestBody = z.infer<typeof syncRequestSchema>;
/** What the job keeps: the request without the one-off `start`. */
export type SyncRequest = Omit<SyncRequestBody, 'start'>;

/** "name" means public.name. */
export const qualified = (table: string): string => (table.includes('.') ? table : `public.${table}`);
