// Whose address a request is judged by: the peer's, or what trusted proxies say in X-Forwarded-For.
import { parseCidrs } from '../../domain/cidr';
import { clientIp } from '../../domain/client-ip';

test.each<[string, string | undefined, string | undefined, string[], string | null]>([
  ['no trusted proxies: the peer, whatever the header says', '127.0.0.1', '203.0.113.7', [], '127.0.0.1'],
  ['an untrusted peer: its header is ignored', '192.0.2.1', '203.0.113.7', ['10.0.0.0/8'], '192.0.2.1'],
  ['a trusted peer without the header: the peer', '10.0.0.5', undefined, ['10.0.0.0/8'], '10.0.0.5'],
  ['a trusted peer: the address it saw', '10.0.0.5', '203.0.113.7', ['10.0.0.0/8'], '203.0.113.7'],
  ['entries left of the proxy\'s are the client\'s to forge', '10.0.0.5', '198.51.100.1, 203.0.113.7', ['10.0.0.0/8'], '203.0.113.7'],
  ['a chain of trusted proxies is walked right to left', '10.0.0.5', '198.51.100.1, 203.0.113.7, 10.0.0.9', ['10.0.0.0/8'], '203.0.113.7'],
  ['every entry a trusted proxy: the left-most', '10.0.0.5', '10.0.0.8, 10.0.0.9', ['10.0.0.0/8'], '10.0.0.8'],
  ['an IPv4-mapped peer is its IPv4 address', '::ffff:10.0.0.5', '203.0.113.7', ['10.0.0.0/8'], '203.0.113.7'],
  ['an IPv6 peer and client', '::1', '2001:db8::7', ['::1/128'], '2001:db8::7'],
  ['an IPv4-mapped client is its IPv4 address', '::1', '::ffff:203.0.113.7', ['::1/128'], '203.0.113.7'],
  ['repeated headers (joined by Node) and blanks', '10.0.0.5', '203.0.113.7,, 10.0.0.9 ', ['10.0.0.0/8'], '203.0.113.7'],
  ['an entry that is not an address: none to go by', '10.0.0.5', '203.0.113.7, unknown', ['10.0.0.0/8'], null],
  ['an entry with a port: none to go by', '10.0.0.5', '203.0.113.7:4711', ['10.0.0.0/8'], null],
  ['a bad entry left of the client\'s is not read', '10.0.0.5', 'junk, 203.0.113.7', ['10.0.0.0/8'], '203.0.113.7'],
  ['no peer (a closed socket)', undefined, '203.0.113.7', ['10.0.0.0/8'], null],
])('%s', (_what, peer, forwardedFor, trusted, expected) => {
  expect(clientIp(peer, forwardedFor, parseCidrs(trusted))?.toString() ?? null).toBe(expected);
});
