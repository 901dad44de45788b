// The API key check on its own, with a stand-in store: what each kind of key comes to (401 saying why, 403 from
// elsewhere, or the request let through with req.tenant and req.apiKey), and that a use is noted only when due.
import { requireApiKey } from '../../api/auth';
import { Problem } from '../../api/problem';
import type { KeyCheck } from '../../store/api-keys';

const KEY: KeyCheck = { id: 'key_1', tenant: { id: 'acme', name: 'Acme' }, state: 'valid', allowedCidrs: [], touchDue: false };

async function authenticate(key: KeyCheck | null, req: { authorization?: string; peer?: string; forwardedFor?: string } = {}) {
  const touched: string[] = [];
  const apiKeys = { check: async () => key, touch: async (id: string) => void touched.push(id) };
  const headers: Record<string, string | undefined> = { authorization: req.authorization ?? 'Bearer sk_x', 'x-forwarded-for': req.forwardedFor };
  const request = { get: (name: string) => headers[name.toLowerCase()], socket: { remoteAddress: req.peer ?? '::ffff:127.0.0.1' } } as never as Record<string, unknown>;
  let passed: unknown = 'not called';
  await requireApiKey({ apiKeys, trustedProxies: ['10.0.0.0/8'], log: { error: () => undefined } })(request as never, {} as never, (err?: unknown) => (passed = err));
  const problem = passed instanceof Problem ? { status: passed.status, detail: passed.message } : null;
  return { problem, request, touched };
}

test.each<[string, KeyCheck | null, { authorization?: string; peer?: string; forwardedFor?: string }, number, string]>([
  ['no header', KEY, { authorization: '' }, 401, 'send the API key as "Authorization: Bearer <key>"'],
  ['not a bearer', KEY, { authorization: 'Basic abc' }, 401, 'send the API key as "Authorization: Bearer <key>"'],
  ['an unknown key', null, {}, 401, 'the API key is not valid'],
  ['an expired key', { ...KEY, state: 'expired' }, {}, 401, 'the API key has expired'],
  ['a revoked key', { ...KEY, state: 'revoked' }, {}, 401, 'the API key was revoked'],
  ['a key from outside its ranges', { ...KEY, allowedCidrs: ['192.0.2.0/24'] }, {}, 403, 'this key may not be used from 127.0.0.1'],
  ['a forwarded address from an untrusted peer', { ...KEY, allowedCidrs: ['192.0.2.0/24'] }, { forwardedFor: '192.0.2.1' }, 403, 'this key may not be used from 127.0.0.1'],
  ['a trusted proxy\'s garbled chain', { ...KEY, allowedCidrs: ['192.0.2.0/24'] }, { peer: '10.1.1.1', forwardedFor: 'unknown' }, 403, 'this key may not be used from an unknown address'],
])('refused: %s', async (_what, key, req, status, detail) => {
  const { problem, request, touched } = await authenticate(key, req);
  expect(problem).toEqual({ status, detail });
  expect(request.apiKey).toBeUndefined();
  expect(touched).toEqual([]);
});

test.each<[string, KeyCheck, { peer?: string; forwardedFor?: string }]>([
  ['a key without ranges', KEY, {}],
  ['a key used from its range', { ...KEY, allowedCidrs: ['127.0.0.0/8'] }, {}],
  ['a key used from its range behind a trusted proxy', { ...KEY, allowedCidrs: ['192.0.2.0/24'] }, { peer: '10.1.1.1', forwardedFor: '192.0.2.1' }],
])('let through: %s, with the tenant and the key on the request', async (_what, key, req) => {
  const { problem, request } = await authenticate(key, req);
  expect(problem).toBeNull();
  expect(request.tenant).toEqual({ id: 'acme', name: 'Acme' });
  expect(request.apiKey).toEqual({ id: 'key_1', tenantId: 'acme', allowedCidrs: key.allowedCidrs });
});

test('a use is noted only when the last one is over a minute old', async () => {
  expect((await authenticate(KEY)).touched).toEqual([]);
  expect((await authenticate({ ...KEY, touchDue: true })).touched).toEqual(['key_1']);
});
