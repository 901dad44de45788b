import { runner } from 'node-pg-migrate';
import { join } from 'node:path';

export async function migrate(databaseUrl: string, log: (msg: string) => void = () => undefined): Promise<void> {
  await runner({
    databaseUrl,
    dir: join(__dirname, 'migrations'),
    direction: 'up',
    migrationsTable: 'sluice_migrations',
    count: Infinity,
    singleTransaction: true,
    log,
  });
}
