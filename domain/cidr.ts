// Address ranges (CIDRs) an API key may be used from, and the trusted proxies: parsing, one spelling each, and
// matching. An IPv4 address that arrives as IPv4-mapped IPv6 (::ffff:a.b.c.d, as a dual-stack socket reports
// IPv4 peers) is the IPv4 address, and a mapped range (::ffff:0:0/96 and narrower) is the IPv4 range: one
// allowlist entry covers a client however the socket spells it.
import ipaddr from 'ipaddr.js';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = [Ip, number];

const MAPPED_PREFIX = 96;

// Four-part decimal only: ipaddr also takes "127.1" and "0x7f.0.0.1", which no one means in an allowlist.
const isAddressText = (text: string) => ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);

// IPv4-mapped IPv6 as IPv4; an IPv6 zone (fe80::1%eth0) dropped: ranges do not name interfaces.
const plain = (ip: Ip): Ip => {
  if (ip instanceof ipaddr.IPv4) return ip;
  return ip.isIPv4MappedAddress() ? ip.toIPv4Address() : new ipaddr.IPv6(ip.parts);
};

/** The address, IPv4-mapped IPv6 as IPv4, without an IPv6 zone; null when `text` is not an IP address. */
export const parseIp = (text: string): Ip | null => (isAddressText(text) ? plain(ipaddr.parse(text)) : null);

/**
 * `a.b.c.d/n`, `x::y/n`, or a bare address (one host). Refused with why: not an address, a prefix out of range,
 * or bits set after the prefix (10.0.0.1/8 is likely a typo for 10.0.0.0/8 or 10.0.0.1/32).
 */
export function parseCidr(text: string): { cidr: Cidr } | { error: string } {
  const [address, prefixText, ...rest] = text.trim().split('/');
  const ip = isAddressText(address) && !address.includes('%') ? ipaddr.parse(address) : null;
  if (!ip || rest.length) return { error: `"${text}" is not an address range such as 203.0.113.0/24 or 2001:db8::/32` };
  const max = ip.kind() === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return { error: `the prefix of "${text}" is not a whole number from 0 to ${max}` };
  const network = ip.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${ip}/${prefix}`) : ipaddr.IPv6.networkAddressFromCIDR(`${ip}/${prefix}`);
  if (network.toString() !== ip.toString()) {
    return { error: `"${text}" has bits set after its /${prefix}: mean ${network}/${prefix}, or ${ip}/${max} for the one address` };
  }
  const mapped = ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress() && prefix >= MAPPED_PREFIX;
  return { cidr: mapped ? [plain(ip), prefix - MAPPED_PREFIX] : [ip, prefix] };
}

/** The one spelling of a range, e.g. "2001:db8::/32", "10.0.0.0/8" (as stored and shown). */
export const cidrText = ([ip, prefix]: Cidr) => `${ip.toString()}/${prefix}`;

/** Whether `ip` (from parseIp) lies in any of the ranges (from parseCidr); IPv4 never matches an IPv6 range. */
export const inAnyCidr = (ip: Ip, cidrs: readonly Cidr[]) => cidrs.some((range) => range[0].kind() === ip.kind() && ip.match(range));

/** Stored ranges, parsed; one that no longer parses is left out, so it matches nothing (never widens a list). */
export const parseCidrs = (texts: readonly string[]): Cidr[] => texts.flatMap((text) => {
  const parsed = parseCidr(text);
  return 'cidr' in parsed ? [parsed.cidr] : [];
});
