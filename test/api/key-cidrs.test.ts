// A key's allowed ranges, over real sockets: an API listening on both IPv4 and IPv6 (`::`), called from
// 127.0.0.1 (which the socket reports as ::ffff:127.0.0.1) and from ::1; X-Forwarded-For counts only when the
// peer is a trusted proxy (SLUICE_TRUSTED_PROXIES), and then its right-most untrusted entry is the client.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { listen } from '../../api/server';
import { TenantAdmin } from '../../store/tenant-admin';
import { createApiApp } from '../../workers/api-app';
import type { Config } from '../../workers/config';
import { testSluice, type TestSluice } from '../support/stack';
import { expectProblem } from './support';

let s: TestSluice;
const servers: { server: Server; end(): Promise<void> }[] = [];

beforeAll(async () => {
  s = await testSluice();
});

afterAll(async () => {
  for (const { server, end } of servers) {
    await new Promise((ok) => server.close(ok));
    await end();
  }
  await s?.close();
});

/** The API on `::` (IPv4 and IPv6); call(from, …) reaches it over 127.0.0.1 or ::1. */
async function dualStackApi(config: Partial<Config> = {}) {
  const { app, pools } = createApiApp({ ...s.rt, config: { ...s.rt.config, ...config } }, s.temporal);
  const server = await listen(app, 0, '::');
  servers.push({ server, end: () => pools.end() });
  const port = (server.address() as AddressInfo).port;
  return (from: '127.0.0.1' | '::1', key: string, forwardedFor?: string) =>
    fetch(`http://${from === '::1' ? '[::1]' : from}:${port}/v1/jobs`, {
      headers: { authorization: `Bearer ${key}`, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    });
}

const keyFrom = async (...allowedCidrs: string[]) => (await new TenantAdmin(s.rt).createKey({ tenant: s.tenantId, allowedCidrs })).key;

async function expectRefusedFrom(res: Response, ip: string) {
  expect((await expectProblem(res, 403)).detail).toBe(`this key may not be used from ${ip}`);
}

test('IPv4: a key is usable from its ranges only; an IPv4 peer on a dual-stack socket is matched as IPv4', async () => {
  const call = await dualStackApi();
  expect((await call('127.0.0.1', await keyFrom('127.0.0.0/8'))).status).toBe(200);
  expect((await call('127.0.0.1', await keyFrom('10.0.0.0/8', '127.0.0.1/32'))).status).toBe(200);
  expect((await call('127.0.0.1', await keyFrom('::ffff:127.0.0.0/104'))).status).toBe(200); // the same range, spelled mapped
  await expectRefusedFrom(await call('127.0.0.1', await keyFrom('10.0.0.0/8')), '127.0.0.1');
  await expectRefusedFrom(await call('127.0.0.1', await keyFrom('::1/128')), '127.0.0.1');
  expect((await call('127.0.0.1', await keyFrom())).status).toBe(200); // no ranges: anywhere
});

test('IPv6: from ::1 a key for ::1 or ::/0 works, one for IPv4 loopback does not', async () => {
  const call = await dualStackApi();
  expect((await call('::1', await keyFrom('::1'))).status).toBe(200);
  expect((await call('::1', await keyFrom('::/0'))).status).toBe(200);
  await expectRefusedFrom(await call('::1', await keyFrom('127.0.0.0/8')), '::1');
  await expectRefusedFrom(await call('::1', await keyFrom('2001:db8::/32')), '::1');
});

test('X-Forwarded-For is ignored unless the peer is a trusted proxy', async () => {
  const call = await dualStackApi();
  const key = await keyFrom('203.0.113.0/24');
  await expectRefusedFrom(await call('127.0.0.1', key, '203.0.113.7'), '127.0.0.1');
});

test('behind a trusted proxy the right-most untrusted X-Forwarded-For entry is the client, IPv4 or IPv6', async () => {
  const call = await dualStackApi({ SLUICE_TRUSTED_PROXIES: ['127.0.0.1/32'] });
  const key = await keyFrom('203.0.113.0/24', '2001:db8::/32');
  expect((await call('127.0.0.1', key, '203.0.113.7')).status).toBe(200);
  expect((await call('127.0.0.1', key, '2001:db8::7')).status).toBe(200);
  expect((await call('127.0.0.1', key, '203.0.113.7, 127.0.0.1')).status).toBe(200); // a second proxy hop, trusted
  // What a client writes itself stays left of what the proxy appended: the proxy's entry decides.
  await expectRefusedFrom(await call('127.0.0.1', key, '203.0.113.7, 198.51.100.1'), '198.51.100.1');
  await expectRefusedFrom(await call('127.0.0.1', key, '2001:db9::1'), '2001:db9::1');
  await expectRefusedFrom(await call('127.0.0.1', key), '127.0.0.1'); // no header: the proxy itself
  // ::1 is not a trusted proxy here: its header does not count.
  await expectRefusedFrom(await call('::1', key, '203.0.113.7'), '::1');
});
