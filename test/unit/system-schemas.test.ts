// Tables of PostgreSQL's own schemas are refused by name (field table, tables[i] or schema), before any catalog lookup.
import { extractionRequestSchema } from '../../domain/extraction-request';
import { syncRequestSchema } from '../../domain/sync-request';
import { isSystemSchema } from '../../domain/system-schemas';

test.each([
  ['pg_catalog', true],
  ['information_schema', true],
  ['pg_toast', true],
  ['pg_temp', true],
  ['pg_temp_3', true],
  ['pg_toast_temp_12', true],
  ['public', false],
  ['sales', false],
  ['PG_CATALOG', false], // names are as spelled in the catalog: this one is a user schema
  ['my_pg_catalog', false],
  ['information_schema2', false],
])('%s is a system schema: %s', (schema, expected) => {
  expect(isSystemSchema(schema)).toBe(expected);
});

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string; params?: { hint?: string } }[] } }) =>
  (r.error?.issues ?? []).map((i) => ({ field: i.path.join('.'), message: i.message, hint: i.params?.hint }));

test.each([
  'pg_catalog.pg_authid',
  'information_schema.tables',
  'pg_toast.pg_toast_1260',
  'pg_temp_1.scratch',
  'pg_toast_temp_1.pg_toast_2',
])('extraction of %s: refused at table, with a hint', (table) => {
  const [issue] = issues(extractionRequestSchema.safeParse({ source: 'main', table }));
  expect(issue).toEqual({ field: 'table', message: `names the system schema ${table.split('.')[0]}, which Sluice does not read`, hint: expect.stringContaining('public.orders') });
});

test('extraction of a user table and a table merely named like a catalog is accepted', () => {
  expect(extractionRequestSchema.safeParse({ source: 'main', table: 'public.pg_authid' }).success).toBe(true);
  expect(extractionRequestSchema.safeParse({ source: 'main', table: 'pg_authid' }).success).toBe(true); // public.pg_authid
  expect(extractionRequestSchema.safeParse({ source: 'main', query: 'SELECT 1 FROM pg_catalog.pg_class' }).success).toBe(true); // a query runs as its role
});

test.each([
  [{ tables: ['public.orders', 'pg_catalog.pg_authid'] }, 'tables.1'],
  [{ tables: ['information_schema.columns'] }, 'tables.0'],
  [{ schema: 'pg_catalog' }, 'schema'],
  [{ schema: 'pg_temp_2' }, 'schema'],
])('sync of %j: refused at %s', (what, field) => {
  const found = issues(syncRequestSchema.safeParse({ source: 's', target: 't', ...what }));
  expect(found).toEqual([expect.objectContaining({ field, message: expect.stringContaining('system schema') })]);
});

test('sync of user tables or a user schema is accepted', () => {
  expect(syncRequestSchema.safeParse({ source: 's', target: 't', tables: ['orders', 'sales.items'] }).success).toBe(true);
  expect(syncRequestSchema.safeParse({ source: 's', target: 't', schema: 'sales' }).success).toBe(true);
});
