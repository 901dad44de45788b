// Downloads for a key with an IP allowlist: its files' links go through Sluice (a presigned link would open from
// anywhere), which checks the key and the client's address again, streams the file with Range, and audits each
// download. IPv4 and IPv6 (the API listens on both; a ::1 client and a 127.0.0.1 one). A key without ranges
// keeps presigned links.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { listen } from '../../api/server';
import { newKeySchema } from '../../domain/api-key';
import { createApiApp } from '../../workers/api-app';
import { finished, startExtraction } from '../support/jobs';
import { ownSluiceDatabase, sourceClient, testSluice, uniqueName, type TestSluice } from '../support/stack';

let s: TestSluice;
let server: Server;
let port: number;
let jobId: string;

beforeAll(async () => {
  s = await testSluice({ SLUICE_DATABASE_URL: await ownSluiceDatabase() });
  await s.startWorker();
  const { app } = createApiApp(s.rt, s.temporal);
  server = await listen(app, 0, '::'); // both families: 127.0.0.1 arrives as ::ffff:127.0.0.1
  port = (server.address() as AddressInfo).port;
  const src = await sourceClient();
  const table = uniqueName('allowlisted');
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id, 'row ' || g AS label FROM generate_series(1, 1000) g`);
  await src.end();
  const job = await startExtraction(s, { table, compression: 'none' });
  expect((await finished(job.handle)).state).toBe('Completed');
  jobId = job.jobId;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await s?.close();
});

async function keyFrom(...allowedCidrs: string[]) {
  const made = await s.rt.apiKeys.create(newKeySchema.parse({ tenant: s.tenantId, label: 'allowlisted', allowedCidrs }));
  return made!;
}

type Files = { parts: { url: string }[] };
const filesJson = async (res: Response) => (await res.json()) as Files;
const filesOf = async (host: string, key: string) => fetch(`http://${host}:${port}/v1/jobs/${jobId}/files`, { headers: { authorization: `Bearer ${key}` } });

test('a key allowed 127.0.0.1 only: links through Sluice that open from 127.0.0.1 (with Range) and not from ::1', async () => {
  const { key, record } = await keyFrom('127.0.0.1/32');
  const files = await filesJson(await filesOf('127.0.0.1', key));
  const link = new URL(files.parts[0].url);
  expect(link.pathname).toMatch(/^\/v1\/downloads\//);
  const whole = await fetch(`http://127.0.0.1:${port}${link.pathname}`);
  expect(whole.status).toBe(200);
  const text = await whole.text();
  expect(text).toContain('1,row 1\n');
  expect(whole.headers.get('accept-ranges')).toBe('bytes');
  const part = await fetch(`http://127.0.0.1:${port}${link.pathname}`, { headers: { range: 'bytes=0-9' } });
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toMatch(/^bytes 0-9\//);
  expect(await part.text()).toBe(text.slice(0, 10));

  const fromV6 = await fetch(`http://[::1]:${port}${link.pathname}`);
  expect(fromV6.status).toBe(403);
  expect(fromV6.headers.get('content-type')).toContain('application/problem+json');
  expect((await filesOf('[::1]', key)).status).toBe(403); // the API itself, too

  // Each download is in the audit log under the key, with the file it was.
  const entries = (await s.rt.db.query(`SELECT key_id, ip, target, status FROM audit_log WHERE action = 'downloads.read' ORDER BY seq`)).rows;
  expect(entries).toEqual(expect.arrayContaining([
    { key_id: record.id, ip: '127.0.0.1', target: expect.stringContaining(`/jobs/${jobId}/`), status: 200 },
    { key_id: record.id, ip: '127.0.0.1', target: expect.stringContaining(`/jobs/${jobId}/`), status: 206 },
  ]));
});

test('a key allowed ::1 only: its links open from ::1 and not from 127.0.0.1', async () => {
  const { key } = await keyFrom('::1/128');
  const files = await filesJson(await filesOf('[::1]', key));
  const path = new URL(files.parts[0].url).pathname;
  expect((await fetch(`http://[::1]:${port}${path}`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(403);
});

test('a revoked key\'s links stop at once; an altered link is not found; a key without ranges keeps presigned links', async () => {
  const { key, record } = await keyFrom('127.0.0.1/32', '::1/128');
  const path = new URL((await filesJson(await filesOf('127.0.0.1', key))).parts[0].url).pathname;
  expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(200);
  const [, , , token] = path.split('/');
  const [body, mac] = token.split('.');
  const altered = `${Buffer.from(Buffer.from(body, 'base64url').toString().replace(s.tenantId, 'another')).toString('base64url')}.${mac}`;
  expect((await fetch(`http://127.0.0.1:${port}/v1/downloads/${altered}`)).status).toBe(404);
  await s.rt.apiKeys.revoke(record.id);
  expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(401);

  const presigned = (await filesJson(await filesOf('127.0.0.1', s.apiKey))).parts[0].url;
  expect(new URL(presigned).searchParams.get('X-Amz-Signature')).toBeTruthy();
});
