import type { S3Client } from '@aws-sdk/client-s3';
import type { Pool } from 'pg';
import { SourcePools } from '../../connectors/postgres/pools';
import { catalogError } from '../../connectors/postgres/catalog';
import type { ObjectEncryption } from '../../connectors/s3/encryption';
import type { JobPlanStore } from '../../store/job-plans';
import type { JobStore } from '../../store/jobs';
import type { PartProgressStore } from '../../store/part-progress';
import type { SourceAccess } from '../../store/connections';
import type { ResourceMeter } from './resource-meter';

export interface ExtractDeps {
  s3: S3Client;
  bucket: string;
  /** Server-side encryption of every file written (parts and manifests). */
  encryption: ObjectEncryption;
  pools: SourcePools;
  /** The decrypted URL and the queryRole of the tenant's connection `name` with role source; null when there is none. */
  source(tenantId: string, name: string): Promise<SourceAccess | null>;
  /** Where a planned run's read spec is kept, and loaded from by its parts. */
  plans: Pick<JobPlanStore, 'save' | 'get'>;
  /** Where parts record their live progress. */
  progress: PartProgressStore;
  /** The jobs, whose snapshots a job.progress event reports on, and which write it. */
  jobs: Pick<JobStore, 'get' | 'recordProgressEvent'>;
  /** A running job writes at most one job.progress event this often. */
  progressEventSeconds: number;
  gzipLevel: number;
  parquetRowGroupRows: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  /** How often a part looks at whether its source session waits on a lock (default 2000). */
  waitPollMs?: number;
  meter: ResourceMeter;
}

export async function sourcePool(deps: ExtractDeps, tenantId: string, source: string): Promise<{ pool: Pool; queryRole: string | null }> {
  const access = await deps.source(tenantId, source);
  if (!access) throw catalogError('3D000', `no connection "${source}" with role source is registered for this tenant`, 'Register it first (POST /v1/connections).');
  return { pool: deps.pools.get(access.url), queryRole: access.queryRole };
}
