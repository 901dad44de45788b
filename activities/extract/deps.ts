import type { S3Client } from '@aws-sdk/client-s3';
import type { Pool } from 'pg';
import { SourcePools } from '../../connectors/postgres/pools';
import { catalogError } from '../../connectors/postgres/catalog';
import type { ResourceMeter } from './resource-meter';

export interface ExtractDeps {
  s3: S3Client;
  bucket: string;
  pools: SourcePools;
  sourceUrl(tenantId: string, name: string): Promise<string | null>;
  gzipLevel: number;
  parquetRowGroupRows: number;
  statementTimeoutMs: number;
  meter: ResourceMeter;
}

export async function sourcePool(deps: ExtractDeps, tenantId: string, source: string): Promise<Pool> {
  const url = await deps.sourceUrl(tenantId, source);
  if (!url) throw catalogError('3D000', `source "${source}" is not registered for this tenant`, 'Register the source first.');
  return deps.pools.get(url);
}
