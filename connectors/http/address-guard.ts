// Which addresses a webhook may be sent to: public unicast hosts only, so that a tenant's webhook URL cannot
// reach Sluice's own machine, the networks it runs in or a cloud metadata endpoint (server-side request forgery).
import ipaddr from 'ipaddr.js';

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

// What `allowPrivate` opens: hosts on networks an operator runs (tests deliver to loopback through it).
// Unspecified stays closed (0.0.0.0 and :: reach this machine on Linux), link-local too (169.254.169.254 is
// every major cloud's metadata endpoint), and multicast, broadcast and reserved ranges are never a host.
const operatorRanges = new Set(['loopback', 'private', 'carrierGradeNat', 'uniqueLocal']);

// Metadata endpoints that sit inside the ranges above: AWS's IPv6 one and Alibaba Cloud's.
const metadataEndpoints = new Set(['fd00:ec2:0:0:0:0:0:254', '100.100.100.200']);

// Prefixes whose last 32 bits are an IPv4 address that the connection ends up at: IPv4-mapped, SIIT and the
// well-known NAT64 prefix (which DNS64 resolvers hand out for IPv4-only hosts).
const ipv4Carriers = ['::ffff:0:0/96', '::ffff:0:0:0/96', '64:ff9b::/96'].map((cidr) => ipaddr.IPv6.parseCIDR(cidr));

// Everything public in IPv6 is allocated from here; the rest that ipaddr calls unicast is unassigned, or
// deprecated like the IPv4-compatible ::a.b.c.d.
const globalUnicast = ipaddr.IPv6.parseCIDR('2000::/3');

const reasons: Record<string, string> = {
  unspecified: 'unspecified address',
  loopback: 'loopback address',
  private: 'private network address',
  carrierGradeNat: 'carrier-grade NAT address',
  linkLocal: 'link-local address, where cloud metadata endpoints live',
  uniqueLocal: 'unique local address',
  multicast: 'multicast address',
  broadcast: 'broadcast address',
  reserved: 'reserved address',
  '6to4': '6to4 relay address',
  teredo: 'Teredo tunnel address',
  rfc6052: 'local-use NAT64 address',
};

/** Whether a webhook may be sent to `address` (an IPv4 dotted quad or an IPv6 address), and why not. */
export function checkWebhookAddress(address: string, o: { allowPrivate: boolean }): AddressVerdict {
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) {
    return { allowed: false, reason: 'not an IP address' };
  }
  const ip = ipaddr.parse(address);
  if (ip instanceof ipaddr.IPv6 && ipv4Carriers.some((prefix) => ip.match(prefix))) {
    const inner = ipv4Inside(ip);
    const verdict = checkWebhookAddress(inner, o);
    return verdict.allowed ? verdict : { allowed: false, reason: `IPv4 ${inner} inside IPv6: ${verdict.reason}` };
  }
  if (metadataEndpoints.has(ip.toNormalizedString())) return { allowed: false, reason: 'cloud metadata endpoint' };
  const range = rangeOf(ip);
  if (range === 'unicast' || (o.allowPrivate && operatorRanges.has(range))) return { allowed: true };
  return { allowed: false, reason: reasons[range] ?? `special-purpose address (${range})` };
}

function rangeOf(ip: ipaddr.IPv4 | ipaddr.IPv6): string {
  const range = ip.range();
  if (ip instanceof ipaddr.IPv6 && range === 'unicast' && !ip.match(globalUnicast)) return 'reserved';
  return range;
}

function ipv4Inside(ip: ipaddr.IPv6): string {
  const [high, low] = ip.parts.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
