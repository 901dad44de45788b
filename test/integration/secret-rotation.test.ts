// Rotating the key of the secrets at rest: rows under key A, the ring becomes B,A, the rotation re-encrypts every
// connection URL and webhook secret under B (in batches, resumable, idempotent), and then B alone reads them all.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { rotateSecretsCommand } from '../../cli/secrets-rotate';
import { ConnectionStore } from '../../store/connections';
import { KeyRing } from '../../store/secret-box';
import { rotateSecrets } from '../../store/secret-rotation';
import { WebhookStore } from '../../store/webhooks';
import { ownSluiceDatabase, testEnv } from '../support/stack';

const keyA = `a=${randomBytes(32).toString('base64')}`;
const keyB = `b=${randomBytes(32).toString('base64')}`;
const PASSWORD = `pw_${randomBytes(8).toString('hex')}`;
const urlOf = (n: number) => `postgresql://reader:${PASSWORD}${n}@db${n}.example.com:5432/shop`;

let url: string;
let db: Client;

beforeAll(async () => {
  url = await ownSluiceDatabase();
  db = new Client({ connectionString: url });
  await db.connect();
  await db.query("INSERT INTO tenants (id, name) VALUES ('acme', 'acme'), ('globex', 'globex')");
});

afterAll(async () => {
  await db?.end();
});

const connectionKeys = async () => (await db.query<{ k: string }>('SELECT key_id AS k FROM connections ORDER BY tenant_id, name')).rows.map((r) => r.k);
const webhookKeys = async () =>
  (await db.query<{ k: string }>("SELECT s->>'keyId' AS k FROM webhook_endpoints, jsonb_array_elements(secrets) s ORDER BY id")).rows.map((r) => r.k);
const rawRows = async () => (await db.query<{ t: string }>(
  "SELECT (SELECT coalesce(json_agg(c), '[]')::text FROM connections c) || (SELECT coalesce(json_agg(w), '[]')::text FROM webhook_endpoints w) AS t",
)).rows[0].t;

test('rotation re-encrypts every secret under the first key; the old key can then go', async () => {
  const ringA = KeyRing.parse(keyA);
  const conns = new ConnectionStore(db, ringA);
  for (const [tenant, n] of [['acme', 1], ['acme', 2], ['globex', 3]] as const) await conns.create(tenant, { name: `db${n}`, roles: ['source'], url: urlOf(n) });
  const hooks = new WebhookStore(db, ringA);
  const one = await hooks.create('acme', { url: 'https://example.com/hook', events: ['job.completed'] });
  const rotated = (await hooks.rotateSecret('acme', one.webhook.id, 3600))!; // two valid secrets on one endpoint
  const two = await hooks.create('globex', { url: 'https://example.com/other', events: ['job.failed'] });
  expect(await connectionKeys()).toEqual(['a', 'a', 'a']);

  // B first: new secrets go under B at once, the old ones still read.
  const ringBA = KeyRing.parse(`${keyB},${keyA}`);
  await new ConnectionStore(db, ringBA).put('globex', { name: 'db4', roles: ['target'], url: urlOf(4) });
  const progress: number[] = [];
  const report = await rotateSecrets(db, ringBA, { batchSize: 2, onBatch: (t) => t.table === 'connections' && progress.push(t.reencrypted) });
  expect(report).toEqual({
    keyId: 'b',
    tables: [{ table: 'connections', reencrypted: 3, alreadyCurrent: 1 }, { table: 'webhook_endpoints', reencrypted: 2, alreadyCurrent: 0 }],
    keysStillUsed: [],
  });
  expect(progress).toEqual([2, 3]); // in batches
  expect(await connectionKeys()).toEqual(['b', 'b', 'b', 'b']);
  expect(await webhookKeys()).toEqual(['b', 'b', 'b']);

  // Again: nothing left to do.
  expect((await rotateSecrets(db, ringBA)).tables).toEqual([
    { table: 'connections', reencrypted: 0, alreadyCurrent: 4 }, { table: 'webhook_endpoints', reencrypted: 0, alreadyCurrent: 2 },
  ]);

  // B alone reads everything, as it was.
  const ringB = KeyRing.parse(keyB);
  const connsB = new ConnectionStore(db, ringB);
  for (const [tenant, n] of [['acme', 1], ['acme', 2], ['globex', 3]] as const) expect(await connsB.sourceUrl(tenant, `db${n}`)).toBe(urlOf(n));
  expect(await connsB.targetUrl('globex', 'db4')).toBe(urlOf(4));
  const hooksB = new WebhookStore(db, ringB);
  expect(await hooksB.signingSecrets('acme', one.webhook.id)).toEqual([rotated.secret, one.secret]);
  expect(await hooksB.signingSecrets('globex', two.webhook.id)).toEqual([two.secret]);
  expect((await hooksB.get('acme', one.webhook.id))!.previousSecretValidUntil).toEqual(rotated.webhook.previousSecretValidUntil);

  // What is stored holds no secret in clear.
  const raw = await rawRows();
  expect(raw).not.toContain(PASSWORD);
  for (const secret of [one.secret, rotated.secret, two.secret]) expect(raw).not.toContain(secret.slice('whsec_'.length));
});

test('the command: rotates, says which keys may go, and names a row it cannot decrypt', async () => {
  const conns = new ConnectionStore(db, KeyRing.parse(keyA));
  await conns.put('acme', { name: 'db9', roles: ['source'], url: urlOf(9) });
  const out: string[] = [];
  const env = { ...testEnv(), SLUICE_DATABASE_URL: url, SLUICE_SECRET_KEYS: `${keyB},${keyA}` };
  expect(await rotateSecretsCommand(['--batch-size', '10'], env, (l) => out.push(l))).toBe(0);
  expect(out).toContain('connections: 1 re-encrypted under key "b", 4 were under it already');
  expect(out.at(-1)).toBe('every secret is under key "b": a may now leave SLUICE_SECRET_KEYS');
  expect(await connectionKeys()).toEqual(['b', 'b', 'b', 'b', 'b']);

  expect(await rotateSecretsCommand(['--batch-size', '0'], env, (l) => out.push(l))).toBe(2);

  // A row under a key the ring lacks stops the run, naming the row; the batches before it stay done.
  await conns.put('acme', { name: 'db10', roles: ['source'], url: urlOf(10) });
  await expect(rotateSecretsCommand(['--batch-size', '1'], { ...env, SLUICE_SECRET_KEYS: `c=${randomBytes(32).toString('base64')},${keyB}` }, () => undefined))
    .rejects.toThrow(/connection acme\/db10: .*key "a"/);
  expect(await connectionKeys()).toEqual(['c', 'a', 'b', 'b', 'b', 'b']); // acme/db1, acme/db10, acme/db2, …
});
