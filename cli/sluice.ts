#!/usr/bin/env -S node --import tsx
// The `sluice` command (npm run sluice -- <command>): admin commands on tenants and API keys, run against
// Sluice's database directly (SLUICE_DATABASE_URL), through the same service as the admin API.
// Exit status: 0 done, 1 refused or failed, 2 not understood.
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { z } from 'zod';
import { ApiKeyStore } from '../store/api-keys';
import { TenantAdmin } from '../store/tenant-admin';
import { TenantLimitStore } from '../store/tenant-limits';
import { TenantStore } from '../store/tenants';
import { loadAdminConfig } from '../workers/config';
import type { Command, Output } from './command';
import { keyCommands } from './key-commands';
import { limitCommands } from './limit-commands';
import { rotateSecretsCommand } from './secrets-rotate';
import { tenantCommands } from './tenant-commands';

const COMMANDS = [...tenantCommands, ...keyCommands, ...limitCommands];
const words = (c: Command) => c.usage.split(' ').slice(0, 2).join(' ');

// How the service's field names are typed here.
const FLAGS: Record<string, string> = {
  id: '<id>', name: '--name', tenant: '<tenant>', label: '--label', allowedCidrs: '--allow-cidr', expiresIn: '--expires-in', grace: '--grace',
  runningJobs: '--running-jobs', inlineConcurrent: '--inline-concurrent', dailyRows: '--daily-rows', dailyBytes: '--daily-bytes', requestsPerMinute: '--requests-per-minute',
};

class UsageError extends Error {}

function usage(): string {
  const lines = [...COMMANDS.map((c) => `  sluice ${c.usage}\n      ${c.summary}`), '  sluice secrets rotate [--batch-size N]\n      re-encrypts connection URLs and webhook secrets under the first key of SLUICE_SECRET_KEYS'];
  return `usage (add --json for JSON output):\n${lines.join('\n')}\n`;
}

function zodMessage(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const hint = i.code === 'custom' && typeof i.params?.hint === 'string' ? ` (${i.params.hint})` : '';
      return `${FLAGS[String(i.path[0])] ?? String(i.path[0] ?? 'input')}: ${i.message}${hint}`;
    })
    .join('\n');
}

async function main(argv: string[]): Promise<number> {
  // The secrets at rest are the worker's and API's settings' business (SLUICE_SECRET_KEYS), not the admin service's.
  if (argv[0] === 'secrets' && argv[1] === 'rotate') return rotateSecretsCommand(argv.slice(2));
  const command = COMMANDS.find((c) => words(c) === argv.slice(0, 2).join(' '));
  if (!command) {
    const asked = argv.length === 0 || ['help', '--help', '-h'].includes(argv[0]);
    (asked ? process.stdout : process.stderr).write(usage());
    return asked ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: argv.slice(2), allowPositionals: true, strict: true, options: { ...command.options, json: { type: 'boolean' } },
  });
  if (positionals.length !== command.positionals) throw new UsageError(`usage: sluice ${command.usage}`);
  const out: Output = { json: values.json === true, line: (text) => process.stdout.write(`${text}\n`) };
  const db = new Pool({ connectionString: loadAdminConfig().SLUICE_DATABASE_URL, max: 1, application_name: 'sluice-cli' });
  try {
    await command.run(new TenantAdmin({ tenants: new TenantStore(db), apiKeys: new ApiKeyStore(db), tenantLimits: new TenantLimitStore(db) }), positionals, values, out);
    return 0;
  } finally {
    await db.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    const usageError = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const message = err instanceof z.ZodError ? zodMessage(err) : err instanceof Error ? err.message : String(err);
    process.stderr.write(`sluice: ${message}\n`);
    process.exit(usageError ? 2 : 1);
  },
);
