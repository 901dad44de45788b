// PostgreSQL's own schemas: the catalog (pg_authid holds password hashes), TOAST, temporary schemas and the
// information schema. Sluice reads user tables only; these are refused by name, before any catalog lookup.
// PostgreSQL reserves the prefix pg_ for system schemas (CREATE SCHEMA pg_x fails), so it covers pg_catalog,
// pg_toast and every pg_temp_N / pg_toast_temp_N.
export function isSystemSchema(schema: string): boolean {
  return schema === 'information_schema' || schema.startsWith('pg_');
}

export const systemSchemaIssue = (schema: string) => ({
  message: `names the system schema ${schema}, which Sluice does not read`,
  hint: 'name a table of a user schema, e.g. "public.orders"',
});
