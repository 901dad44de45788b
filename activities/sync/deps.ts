import type { Pool } from 'pg';
import type { SourcePools } from '../../connectors/postgres/pools';
import { SyncSetupError } from '../../connectors/postgres/sync/source-setup';
import { syncErrors } from '../../domain/sync-errors';
import type { SyncMetricsSample } from '../../domain/sync-metrics';

export interface SyncDeps {
  pools: SourcePools;
  /** The decrypted URL of the tenant's connection `name` with the role; null when there is none. */
  connectionUrl(tenantId: string, name: string, role: 'source' | 'target'): Promise<string | null>;
  metrics: {
    record(sample: SyncMetricsSample): Promise<void>;
    latest(jobId: string): Promise<SyncMetricsSample | null>;
  };
  /** How often the stream writes a metrics sample. */
  metricsIntervalMs: number;
  log: { warn(obj: unknown, msg: string): void };
}

export async function connectionPool(deps: SyncDeps, tenantId: string, name: string, role: 'source' | 'target'): Promise<{ url: string; pool: Pool }> {
  const url = await deps.connectionUrl(tenantId, name, role);
  if (!url) throw new SyncSetupError(syncErrors.connectionMissing(name, role));
  return { url, pool: deps.pools.get(url) };
}

/** Runs `use` on a client of `pool`, released afterwards (destroyed when it broke). */
export async function withClient<T>(pool: Pool, use: (c: import('pg').PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    const result = await use(c);
    c.release();
    return result;
  } catch (err) {
    c.release(err as Error);
    throw err;
  }
}
