// Where a webhook may go: public unicast only; `allowPrivate` opens the operator's own networks and nothing else.
import { checkWebhookAddress } from '../../connectors/http/address-guard';

const closed = { allowPrivate: false };
const open = { allowPrivate: true };

describe('refused by default', () => {
  test.each<[string, string]>([
    ['0.0.0.0', 'unspecified address'],
    ['0.1.2.3', 'unspecified address'],
    ['::', 'unspecified address'],
    ['127.0.0.1', 'loopback address'],
    ['127.255.0.9', 'loopback address'],
    ['::1', 'loopback address'],
    ['10.0.0.1', 'private network address'],
    ['172.16.0.1', 'private network address'],
    ['172.31.255.254', 'private network address'],
    ['192.168.1.1', 'private network address'],
    ['100.64.0.1', 'carrier-grade NAT address'],
    ['100.127.255.254', 'carrier-grade NAT address'],
    ['169.254.169.254', 'link-local address, where cloud metadata endpoints live'],
    ['169.254.0.1', 'link-local address, where cloud metadata endpoints live'],
    ['fe80::1', 'link-local address, where cloud metadata endpoints live'],
    ['fe80::1%eth0', 'link-local address, where cloud metadata endpoints live'],
    ['fc00::1', 'unique local address'],
    ['fdff:ffff::1', 'unique local address'],
    ['fd00:ec2::254', 'cloud metadata endpoint'],
    ['100.100.100.200', 'cloud metadata endpoint'],
    ['224.0.0.1', 'multicast address'],
    ['239.255.255.250', 'multicast address'],
    ['ff02::1', 'multicast address'],
    ['255.255.255.255', 'broadcast address'],
    ['192.0.2.1', 'reserved address'],
    ['198.51.100.7', 'reserved address'],
    ['203.0.113.9', 'reserved address'],
    ['198.18.0.1', 'reserved address'],
    ['240.0.0.1', 'reserved address'],
    ['2001:db8::1', 'reserved address'],
    // IPv6 that is not global unicast 2000::/3, though ipaddr calls it unicast: unassigned, or IPv4-compatible.
    ['::7f00:1', 'reserved address'],
    ['4000::1', 'reserved address'],
    ['2002:7f00:1::1', '6to4 relay address'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo tunnel address'],
    ['64:ff9b:1::a00:1', 'local-use NAT64 address'],
    ['fec0::1', 'special-purpose address (deprecatedSiteLocal)'],
    ['192.88.99.1', 'reserved address'],
  ])('%s: %s', (address, reason) => {
    expect(checkWebhookAddress(address, closed)).toEqual({ allowed: false, reason });
  });
});

describe('an IPv4 carried inside IPv6 is judged as that IPv4', () => {
  test.each<[string, string]>([
    ['::ffff:127.0.0.1', 'IPv4 127.0.0.1 inside IPv6: loopback address'],
    ['::ffff:7f00:1', 'IPv4 127.0.0.1 inside IPv6: loopback address'],
    ['::ffff:169.254.169.254', 'IPv4 169.254.169.254 inside IPv6: link-local address, where cloud metadata endpoints live'],
    ['::ffff:10.1.2.3', 'IPv4 10.1.2.3 inside IPv6: private network address'],
    ['::ffff:0.0.0.0', 'IPv4 0.0.0.0 inside IPv6: unspecified address'],
    ['::ffff:0:192.168.0.1', 'IPv4 192.168.0.1 inside IPv6: private network address'], // SIIT
    ['64:ff9b::127.0.0.1', 'IPv4 127.0.0.1 inside IPv6: loopback address'], // well-known NAT64 prefix
    ['64:ff9b::a9fe:a9fe', 'IPv4 169.254.169.254 inside IPv6: link-local address, where cloud metadata endpoints live'],
  ])('%s: %s', (address, reason) => {
    expect(checkWebhookAddress(address, closed)).toEqual({ allowed: false, reason });
  });

  test.each(['::ffff:8.8.8.8', '::ffff:0:8.8.8.8', '64:ff9b::808:808'])('%s is public and allowed', (address) => {
    expect(checkWebhookAddress(address, closed)).toEqual({ allowed: true });
  });
});

test.each(['8.8.8.8', '1.1.1.1', '93.184.215.14', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '2606:4700:4700::1111'])(
  'public unicast %s is allowed',
  (address) => {
    expect(checkWebhookAddress(address, closed)).toEqual({ allowed: true });
  },
);

test.each(['example.com', '', '127.1', '2130706433', '0x7f.0.0.1', '010.0.0.1', '1.2.3.4.5', '[::1]'])(
  '%j is not an IP address in standard form and is refused',
  (address) => {
    expect(checkWebhookAddress(address, open)).toEqual({ allowed: false, reason: 'not an IP address' });
  },
);

describe('allowPrivate', () => {
  test.each(['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '100.64.0.1', 'fd12:3456::1'])(
    'lets the operator network address %s through',
    (address) => {
      expect(checkWebhookAddress(address, open)).toEqual({ allowed: true });
    },
  );

  // 0.0.0.0 and :: reach this machine, link-local holds the metadata endpoint; none is an operator's host.
  test.each<[string, string]>([
    ['0.0.0.0', 'unspecified address'],
    ['::', 'unspecified address'],
    ['169.254.169.254', 'link-local address, where cloud metadata endpoints live'],
    ['fe80::1', 'link-local address, where cloud metadata endpoints live'],
    ['fd00:ec2::254', 'cloud metadata endpoint'],
    ['100.100.100.200', 'cloud metadata endpoint'],
    ['224.0.0.1', 'multicast address'],
    ['ff02::1', 'multicast address'],
    ['255.255.255.255', 'broadcast address'],
    ['240.0.0.1', 'reserved address'],
    ['::ffff:0.0.0.0', 'IPv4 0.0.0.0 inside IPv6: unspecified address'],
  ])('still refuses %s: %s', (address, reason) => {
    expect(checkWebhookAddress(address, open)).toEqual({ allowed: false, reason });
  });
});
