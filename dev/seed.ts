// Demo data: a tenant with an API key, a connection `demo` (role source), and public.orders with realistic rows.
import { Client } from 'pg';
import type { ConnectionStore } from '../store/connections';
import type { ApiKeyStore } from '../store/api-keys';
import type { TenantStore } from '../store/tenants';

// Generated inside PostgreSQL (generate_series): a million rows take seconds and never pass through Node.
export async function seedOrders(sourceUrl: string, rows: number, table = 'orders'): Promise<boolean> {
  const client = new Client({ connectionString: sourceUrl });
  await client.connect();
  try {
    const t = client.escapeIdentifier(table);
    const exists = await client.query("SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = 'public'::regnamespace", [table]);
    if (exists.rowCount) return false;
    await client.query('BEGIN');
    await client.query(`CREATE TABLE public.${t} (
      id bigint PRIMARY KEY,
      customer_id integer NOT NULL,
      customer_email text NOT NULL,
      status text NOT NULL,
      amount numeric(12, 2) NOT NULL,
      currency char(3) NOT NULL,
      created_at timestamptz NOT NULL,
      shipped_at timestamptz,
      note text
    )`);
    await client.query(
      `INSERT INTO public.${t}
       SELECT g,
              1 + (hashint4(g::int) & 65535),
              'customer' || (1 + (hashint4(g::int) & 65535)) || '@example.com',
              (ARRAY['pending','paid','shipped','delivered','cancelled','refunded'])[1 + (hashint4(g::int * 7) & 7) % 6],
              round(((hashint4(g::int * 13) & 1048575) / 100.0 + 1)::numeric, 2),
              (ARRAY['EUR','USD','GBP'])[1 + (hashint4(g::int * 3) & 3) % 3],
              timestamptz '2024-01-01 00:00:00+00' + g * interval '23 seconds',
              CASE WHEN g % 5 < 3 THEN timestamptz '2024-01-02 00:00:00+00' + g * interval '23 seconds' END,
              CASE g % 10 WHEN 0 THEN 'gift wrap, please' WHEN 1 THEN 'leave at the door; ring "twice"' WHEN 2 THEN E'two lines\\nof note' WHEN 3 THEN '' ELSE NULL END
         FROM generate_series(1, $1::bigint) AS g`,
      [rows],
    );
    await client.query('COMMIT');
    await client.query(`ANALYZE public.${t}`);
    return true;
  } finally {
    await client.end();
  }
}

export interface SeedOptions {
  tenantId: string;
  /** A key to keep (the dev stack's, across runs); else a new one. */
  apiKey?: string;
  sourceName: string;
  sourceUrl: string;
  /** A connection with role target, for syncs. */
  target?: { name: string; url: string };
}

/** The tenant, its API key (returned) and its connections; registering again replaces them (a port may change). */
export async function seedTenant(stores: { tenants: TenantStore; apiKeys: ApiKeyStore; connections: ConnectionStore }, opts: SeedOptions): Promise<string> {
  const { tenants, apiKeys, connections } = stores;
  await tenants.create(opts.tenantId, opts.tenantId);
  const apiKey = opts.apiKey ?? (await apiKeys.create({ tenant: opts.tenantId, label: 'dev', allowedCidrs: [] }))!.key;
  if (opts.apiKey) await apiKeys.add(opts.tenantId, opts.apiKey, 'dev');
  await connections.put(opts.tenantId, { name: opts.sourceName, roles: ['source'], url: opts.sourceUrl });
  if (opts.target) await connections.put(opts.tenantId, { name: opts.target.name, roles: ['target'], url: opts.target.url });
  return apiKey;
}
