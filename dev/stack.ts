// The whole embedded stack: one PostgreSQL (Sluice's database `sluice`, a demo/test source `source` and an empty
// sync target `target`),
// the Temporal dev server and MinIO. Shared by `npm run dev` and the test harness.
import { Client as PgClient } from 'pg';
import { join } from 'node:path';
import { ensureBinaries } from './binaries';
import {
  freePort, startMinio, startPostgres, startTemporal, StartError,
  type MinioService, type PostgresService, type Service, type TemporalService,
} from './services';
import { migrate } from '../store/migrate';

export interface StackInfo {
  databaseUrl: string;
  sourceUrl: string;
  /** An empty database of the same cluster, for syncs to write to. */
  targetUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | null;
  s3Endpoint: string;
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  /** MinIO's KMS key, for SLUICE_S3_SSE=aws:kms. */
  s3KmsKeyId: string;
}

export interface StackPorts {
  postgres: number;
  temporal: number;
  temporalUi?: number;
  minio: number;
  minioConsole: number;
}

export interface Stack {
  info: StackInfo;
  stop(): Promise<void>;
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new PgClient({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

export async function startStack(dataDir: string, ports?: Partial<StackPorts>, log: (l: string) => void = () => undefined): Promise<Stack> {
  const bins = await ensureBinaries(log);
  const p: StackPorts = {
    postgres: ports?.postgres ?? (await freePort()),
    temporal: ports?.temporal ?? (await freePort()),
    temporalUi: ports?.temporalUi,
    minio: ports?.minio ?? (await freePort()),
    minioConsole: ports?.minioConsole ?? (await freePort()),
  };
  log('starting PostgreSQL, Temporal and MinIO…');
  // All three start at once. If one fails, the others stop starting (or are stopped once up), so nothing is
  // left running; the error is the first failure's.
  const abort = new AbortController();
  let firstError: unknown;
  const failFast = <T>(p: Promise<T>) => p.catch((err) => {
    if (!abort.signal.aborted) {
      firstError = err;
      abort.abort();
    }
    throw err;
  });
  const results = await Promise.allSettled([
    failFast(startPostgres(bins, join(dataDir, 'postgres'), p.postgres, log, abort.signal)),
    failFast(startTemporal(bins, join(dataDir, 'temporal'), p.temporal, p.temporalUi, abort.signal)),
    failFast(startMinio(bins, join(dataDir, 'minio'), p.minio, p.minioConsole, abort.signal)),
  ]);
  const started: Service[] = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  if (abort.signal.aborted) {
    await stop();
    throw firstError;
  }
  const [pg, temporal, minio] = started as [PostgresService, TemporalService, MinioService];
  try {
    await ensureDatabase(pg.url(), 'sluice');
    await ensureDatabase(pg.url(), 'source');
    await ensureDatabase(pg.url(), 'target');
    await migrate(pg.url('sluice'));
  } catch (err) {
    await stop();
    throw new StartError(`Sluice's database could not be prepared: ${(err as Error).message.split('\n')[0]}`);
  }
  return {
    info: {
      databaseUrl: pg.url('sluice'),
      sourceUrl: pg.url('source'),
      targetUrl: pg.url('target'),
      temporalAddress: temporal.address,
      temporalUiUrl: temporal.uiUrl ?? null,
      s3Endpoint: minio.endpoint,
      s3AccessKeyId: minio.accessKeyId,
      s3SecretAccessKey: minio.secretAccessKey,
      s3KmsKeyId: minio.kmsKeyId,
    },
    stop,
  };
}

// The environment Sluice's processes read (workers/config.ts) for this stack.
export function stackEnv(info: StackInfo, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLUICE_DATABASE_URL: info.databaseUrl,
    TEMPORAL_ADDRESS: info.temporalAddress,
    SLUICE_S3_ENDPOINT: info.s3Endpoint,
    SLUICE_S3_ACCESS_KEY_ID: info.s3AccessKeyId,
    SLUICE_S3_SECRET_ACCESS_KEY: info.s3SecretAccessKey,
    ...extra,
  };
}
