import { runner } from 'node-pg-migrate';
import { join } from 'node:path';
import { moveSources } from './move-sources';
import type { KeyRing } from './secret-box';

/** Applies the migrations, then moves old `sources` rows into encrypted connections (needs `keys`; see move-sources.ts). */
export async function migrate(databaseUrl: string, log: (msg: string) => void = () => undefined, keys?: KeyRing): Promise<void> {
  await runner({
    databaseUrl,
    dir: join(__dirname, 'migrations'),
    direction: 'up',
    migrationsTable: 'sluice_migrations',
    count: Infinity,
    singleTransaction: true,
    log,
  });
  await moveSources(databaseUrl, keys, log);
}
