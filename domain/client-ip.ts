// Which address a request comes from, for the keys' allowlists. Express's `trust proxy` (proxy-addr) walks the
// chain the same way, but it would also make req.protocol and req.hostname follow X-Forwarded-Proto and -Host
// across the whole app and take a chain entry that is not an address for the client's; this is the walk alone.
import { inAnyCidr, parseIp, type Cidr } from './cidr';

type Ip = NonNullable<ReturnType<typeof parseIp>>;

/**
 * The peer's address (the socket's), unless the peer is a trusted proxy: then the right-most X-Forwarded-For
 * entry that is not a trusted proxy itself. Each proxy appends the address it saw, so entries left of that one
 * are whatever the client wrote. When every entry is a trusted proxy, the left-most. Null when there is no
 * address to go by: no peer (a closed socket), or an entry that is not an IP address where one is needed.
 */
export function clientIp(peer: string | undefined, forwardedFor: string | undefined, trustedProxies: readonly Cidr[]): Ip | null {
  let ip = peer === undefined ? null : parseIp(peer);
  const chain = (forwardedFor ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  while (ip && chain.length && inAnyCidr(ip, trustedProxies)) ip = parseIp(chain.pop()!);
  return ip;
}
