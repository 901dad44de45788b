// Rotation of the key of the secrets at rest: re-encrypts them under the first key of SLUICE_SECRET_KEYS
// (store/secret-rotation.ts). Run it once every API and worker has restarted with the new key first; README,
// "Encryption at rest". `sluice secrets rotate` (cli/sluice.ts) runs it.
import { Client } from 'pg';
import { parseArgs } from 'node:util';
import { rotateSecrets } from '../store/secret-rotation';
import { KeyRing } from '../store/secret-box';
import { loadConfig } from '../workers/config';

const USAGE = `options: [--batch-size N]
Re-encrypts every connection URL and webhook signing secret under the first key of SLUICE_SECRET_KEYS,
N rows per transaction (default 100). Stopped midway, it takes up where it left off when run again.
Reads SLUICE_DATABASE_URL and SLUICE_SECRET_KEYS.`;

/** Resolves to the exit code: 0 when no secret is left under another key, 1 otherwise, 2 for bad arguments. */
export async function rotateSecretsCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, print = console.log): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { 'batch-size': { type: 'string', default: '100' }, help: { type: 'boolean' } } }).values;
  } catch (err) {
    print(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const batchSize = Number(args['batch-size']);
  if (args.help || !Number.isInteger(batchSize) || batchSize < 1) {
    print(USAGE);
    return args.help ? 0 : 2;
  }
  const config = loadConfig(env);
  const keys = KeyRing.parse(config.SLUICE_SECRET_KEYS);
  const db = new Client({ connectionString: config.SLUICE_DATABASE_URL, application_name: 'sluice keys rotate' });
  await db.connect();
  try {
    const report = await rotateSecrets(db, keys, { batchSize, onBatch: (t) => print(`${t.table}: ${t.reencrypted} re-encrypted so far`) });
    for (const t of report.tables) print(`${t.table}: ${t.reencrypted} re-encrypted under key "${report.keyId}", ${t.alreadyCurrent} were under it already`);
    if (report.keysStillUsed.length) {
      print(`rows written meanwhile still use key(s) ${report.keysStillUsed.join(', ')}: restart every process with "${report.keyId}" first in SLUICE_SECRET_KEYS, then run this again`);
      return 1;
    }
    const retired = keys.ids.slice(1);
    print(retired.length ? `every secret is under key "${report.keyId}": ${retired.join(', ')} may now leave SLUICE_SECRET_KEYS` : `every secret is under key "${report.keyId}"`);
    return 0;
  } finally {
    await db.end();
  }
}
