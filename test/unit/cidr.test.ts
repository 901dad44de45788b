// The ranges an API key may be used from: how they are typed, spelled and matched, IPv4, IPv6 and IPv4 inside IPv6.
import { cidrText, inAnyCidr, parseCidr, parseCidrs, parseIp } from '../../domain/cidr';

const cidrOf = (text: string) => {
  const parsed = parseCidr(text);
  if (!('cidr' in parsed)) throw new Error(parsed.error);
  return parsed.cidr;
};

test.each<[string, string]>([
  ['203.0.113.0/24', '203.0.113.0/24'],
  [' 10.0.0.0/8 ', '10.0.0.0/8'],
  ['0.0.0.0/0', '0.0.0.0/0'],
  ['192.0.2.7', '192.0.2.7/32'],
  ['2001:DB8:0::/32', '2001:db8::/32'],
  ['::1', '::1/128'],
  ['::/0', '::/0'],
  ['::ffff:10.0.0.0/104', '10.0.0.0/8'], // an IPv4-mapped range is the IPv4 range
  ['::ffff:192.0.2.7', '192.0.2.7/32'],
])('parseCidr(%j) is %s', (text, spelled) => {
  expect(cidrText(cidrOf(text))).toBe(spelled);
});

test.each<[string, RegExp]>([
  ['', /not an address range/],
  ['example.com/24', /not an address range/],
  ['10.0.0.0/8/8', /not an address range/],
  ['127.1/32', /not an address range/], // shorthand IPv4 is not taken
  ['fe80::1%eth0/128', /not an address range/],
  ['10.0.0.0/33', /prefix .* 0 to 32/],
  ['2001:db8::/129', /prefix .* 0 to 128/],
  ['10.0.0.0/-1', /prefix/],
  ['10.0.0.0/', /prefix/],
  ['10.0.0.1/8', /bits set after its \/8: mean 10\.0\.0\.0\/8, or 10\.0\.0\.1\/32/],
  ['2001:db8::1/32', /mean 2001:db8::\/32/],
])('parseCidr(%j) is refused', (text, error) => {
  expect(parseCidr(text)).toEqual({ error: expect.stringMatching(error) });
});

test.each<[string, string | null]>([
  ['127.0.0.1', '127.0.0.1'],
  ['::ffff:127.0.0.1', '127.0.0.1'], // as a dual-stack socket reports an IPv4 peer
  ['::1', '::1'],
  ['2001:DB8::0:1', '2001:db8::1'],
  ['fe80::1%eth0', 'fe80::1'],
  ['127.1', null],
  ['not an ip', null],
  ['', null],
])('parseIp(%j) is %s', (text, spelled) => {
  expect(parseIp(text)?.toString() ?? null).toBe(spelled);
});

test.each<[string, string[], boolean]>([
  ['203.0.113.9', ['203.0.113.0/24'], true],
  ['203.0.114.9', ['203.0.113.0/24'], false],
  ['::ffff:203.0.113.9', ['203.0.113.0/24'], true],
  ['203.0.113.9', ['::ffff:203.0.113.0/120'], true],
  ['2001:db8:1::5', ['10.0.0.0/8', '2001:db8::/32'], true],
  ['2001:db9::5', ['2001:db8::/32'], false],
  ['::1', ['127.0.0.0/8'], false], // IPv6 loopback is not IPv4 loopback
  ['127.0.0.1', ['::1/128'], false],
  ['127.0.0.1', ['::/0'], false], // an IPv4 client is not in an IPv6 range, however wide
  ['127.0.0.1', ['0.0.0.0/0'], true],
  ['10.1.2.3', [], false],
])('%s in %j: %s', (ip, ranges, inside) => {
  expect(inAnyCidr(parseIp(ip)!, ranges.map(cidrOf))).toBe(inside);
});

test('a stored range that does not parse matches nothing, and the others still do', () => {
  const ranges = parseCidrs(['garbage', '10.0.0.0/8']);
  expect(ranges.map(cidrText)).toEqual(['10.0.0.0/8']);
  expect(inAnyCidr(parseIp('10.9.9.9')!, ranges)).toBe(true);
  expect(inAnyCidr(parseIp('11.9.9.9')!, ranges)).toBe(false);
});
