// What the admin surface (CLI and /admin/v1) takes: durations, tenant ids, key requests and rotations.
import { apiKeyView, newKeySchema, newTenantSchema, parseDuration, rotateKeySchema } from '../../domain/api-key';

test.each<[string, number | null]>([
  ['90s', 90], ['15m', 900], ['24h', 86_400], ['30d', 2_592_000], ['0s', 0], [' 1s ', 1],
  ['1', null], ['1w', null], ['1.5h', null], ['-1h', null], ['1h30m', null], ['', null], ['h', null],
])('parseDuration(%j) is %s', (text, seconds) => {
  expect(parseDuration(text)).toBe(seconds);
});

test('a key request: defaults, ranges in their one spelling without repeats, the expiry in seconds', () => {
  expect(newKeySchema.parse({ tenant: 'acme' })).toEqual({ tenant: 'acme', label: '', allowedCidrs: [] });
  expect(newKeySchema.parse({ tenant: 'acme', label: 'ci', allowedCidrs: ['2001:DB8::/32', '2001:db8::/32', '10.0.0.0/8'], expiresIn: '7d' }))
    .toEqual({ tenant: 'acme', label: 'ci', allowedCidrs: ['2001:db8::/32', '10.0.0.0/8'], expiresIn: 604_800 });
});

test.each<[unknown, string, RegExp]>([
  [{ tenant: 'acme', allowedCidrs: ['10.0.0.1/8'] }, 'allowedCidrs', /bits set/],
  [{ tenant: 'acme', expiresIn: 'soon' }, 'expiresIn', /not a duration up to 3650d/],
  [{ tenant: 'acme', expiresIn: '3651d' }, 'expiresIn', /not a duration/],
  [{ tenant: 'acme', key: 'sk_mine' }, '', /key/],
  [{ tenant: '-acme' }, 'tenant', /tenant id/],
  [{}, 'tenant', /.+/],
])('refused: %j', (input, field, message) => {
  const parsed = newKeySchema.safeParse(input);
  expect(parsed.success).toBe(false);
  expect(parsed.error!.issues).toContainEqual(expect.objectContaining({ path: field ? expect.arrayContaining([field]) : [], message: expect.stringMatching(message) }));
});

test('a tenant id is a word of letters, digits, "_", "." and "-"', () => {
  expect(newTenantSchema.safeParse({ id: 'acme_prod-2.eu' }).success).toBe(true);
  for (const id of ['', 'a b', 'a/b', 'ü', 'x'.repeat(65)]) expect(newTenantSchema.safeParse({ id }).success).toBe(false);
});

test('a rotation keeps the old key 24 h unless told otherwise, at most a year', () => {
  expect(rotateKeySchema.parse({})).toEqual({ grace: 86_400 });
  expect(rotateKeySchema.parse({ grace: '1s' })).toEqual({ grace: 1 });
  expect(rotateKeySchema.parse({ grace: '0s' })).toEqual({ grace: 0 });
  expect(rotateKeySchema.safeParse({ grace: '366d' }).success).toBe(false);
});

test("a key's status: revoked over expired over active", () => {
  const base = { id: 'key_1', tenantId: 't', label: '', allowedCidrs: [], createdAt: new Date(0), lastUsedAt: null, rotatedTo: null };
  const now = new Date(10_000);
  expect(apiKeyView({ ...base, expiresAt: null, revokedAt: null }, now).status).toBe('active');
  expect(apiKeyView({ ...base, expiresAt: new Date(20_000), revokedAt: null }, now).status).toBe('active');
  expect(apiKeyView({ ...base, expiresAt: new Date(10_000), revokedAt: null }, now).status).toBe('expired');
  expect(apiKeyView({ ...base, expiresAt: new Date(5_000), revokedAt: new Date(1_000) }, now).status).toBe('revoked');
});
