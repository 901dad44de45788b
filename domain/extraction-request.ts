// The body of POST /v1/extractions, validated at the API and carried unchanged into the workflow.
import { z } from 'zod';
import { jobNotifySchema } from './notify-request';
import { pgText } from './pg-text';
import { isSystemSchema, systemSchemaIssue } from './system-schemas';

// PostgreSQL identifiers as they are stored in the catalog; they are quoted, never pasted.
export const identifier = pgText(z.string().min(1).max(63, 'PostgreSQL identifiers are at most 63 bytes'));

export const FILTER_OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'like', 'ilike', 'is_null', 'is_not_null'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

const scalar = z.union([pgText(z.string()), z.number(), z.boolean()]);

export const filterConditionSchema = z
  .object({
    column: identifier,
    op: z.enum(FILTER_OPERATORS, { error: `op must be one of ${FILTER_OPERATORS.join(', ')}` }),
    value: z
      .union([scalar, z.array(scalar).min(1).max(10_000)], { error: 'a value is a string, a number or a boolean; for in and not_in an array of them' })
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const list = c.op === 'in' || c.op === 'not_in';
    const none = c.op === 'is_null' || c.op === 'is_not_null';
    if (none && c.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.op} takes no value` });
    if (!none && c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.op} needs a value` });
    if (list && c.value !== undefined && !Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.op} needs an array of values` });
    if (!list && Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.op} takes a single value; use "in" for a list` });
  });
export type FilterCondition = z.infer<typeof filterConditionSchema>;

const orderBySchema = z.object({ column: identifier, direction: z.enum(['asc', 'desc']).default('asc') }).strict();
export type OrderBy = z.infer<typeof orderBySchema>;

export const FORMATS = ['csv', 'ndjson', 'parquet'] as const;
export type Format = (typeof FORMATS)[number];
// gzip and zstd compress a CSV or NDJSON file whole, or a Parquet file's pages; snappy is Parquet's only.
export const COMPRESSIONS = ['gzip', 'zstd', 'snappy', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

// `table` is "name" (schema public) or "schema.name".
export const tableName = pgText(z.string().min(1).max(127).regex(/^[^.]+(\.[^.]+)?$/, 'use "table" or "schema.table"'));

export const extractionRequestSchema = z
  .object({
    source: identifier.describe('name of a registered source'),
    table: tableName.optional(),
    columns: z.array(identifier).min(1).max(1600).optional(),
    filter: z.array(filterConditionSchema).max(100).optional(),
    orderBy: z.array(orderBySchema).min(1).max(32).optional(),
    query: pgText(z.string().min(1).max(100_000)).optional(),
    format: z.enum(FORMATS).default('csv'),
    compression: z.enum(COMPRESSIONS).default('gzip'),
    mode: z.enum(['auto', 'inline', 'job']).default('auto').describe('auto: inline when small enough, else a job'),
    timeZone: pgText(z.string().min(1).max(64)).default('UTC').describe('session TimeZone for timestamptz text'),
    notify: jobNotifySchema.optional().describe('extra recipients of this job\'s events (a job only: an inline answer is its own notice)'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.notify && r.mode === 'inline') ctx.addIssue({ code: 'custom', path: ['notify'], message: 'an inline answer notifies no one; use mode "job" or "auto" to be told when a job ends' });
    if (r.compression === 'snappy' && r.format !== 'parquet') {
      ctx.addIssue({ code: 'custom', path: ['compression'], message: 'snappy compresses Parquet pages only', params: { hint: 'Use "gzip" or "zstd" for CSV and NDJSON files.' } });
    }
    if (!r.table && !r.query) ctx.addIssue({ code: 'custom', path: ['table'], message: 'give either "table" or "query"' });
    if (r.table && r.query) ctx.addIssue({ code: 'custom', path: ['query'], message: '"query" cannot be combined with "table"' });
    const schema = r.table && splitTableName(r.table).schema;
    if (schema && isSystemSchema(schema)) {
      const { message, hint } = systemSchemaIssue(schema);
      ctx.addIssue({ code: 'custom', path: ['table'], message, params: { hint } });
    }
    if (r.query) {
      for (const field of ['columns', 'filter', 'orderBy'] as const) {
        if (r[field]) ctx.addIssue({ code: 'custom', path: [field], message: `"${field}" applies to "table"; write it into the query instead` });
      }
    }
  });
export type ExtractionRequest = z.infer<typeof extractionRequestSchema>;

export function splitTableName(table: string): { schema: string; name: string } {
  const dot = table.indexOf('.');
  return dot < 0 ? { schema: 'public', name: table } : { schema: table.slice(0, dot), name: table.slice(dot + 1) };
}
