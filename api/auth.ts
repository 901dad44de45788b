import type { Request, RequestHandler } from 'express';
import { inAnyCidr, parseCidrs, type Cidr } from '../domain/cidr';
import { clientIp } from '../domain/client-ip';
import type { ApiKeyStore, KeyCheck } from '../store/api-keys';
import type { Tenant } from '../store/tenants';
import { Problem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    tenant: Tenant;
    /** The key the request came with (an audit trail names it by id; its allowlist decides its download links). */
    apiKey: { id: string; tenantId: string; allowedCidrs: string[] };
  }
}

export interface ApiKeyAuthDeps {
  apiKeys: Pick<ApiKeyStore, 'check' | 'touch'>;
  /** SLUICE_TRUSTED_PROXIES: peers whose X-Forwarded-For names the client. */
  trustedProxies: readonly string[];
  log: { error(obj: unknown, msg: string): void };
}

// Says no more than why the key does not hold: not whose it was, nor when.
const REFUSALS = { expired: 'the API key has expired', revoked: 'the API key was revoked' };

const unauthorized = (detail: string) => new Problem(401, 'Unauthorized', detail, {}, { 'WWW-Authenticate': 'Bearer' });

// `Authorization: Bearer <api key>`; the key decides the tenant every job and file is scoped to. A key with
// allowed ranges is refused (403) from any other address.
export function requireApiKey(d: ApiKeyAuthDeps): RequestHandler {
  const trusted = parseCidrs(d.trustedProxies);
  return async (req, _res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!match) return next(unauthorized('send the API key as "Authorization: Bearer <key>"'));
    const checked = await d.apiKeys.check(match[1]);
    const refused = keyRefusal(checked, req, trusted);
    if (refused) return next(refused);
    const key = checked!;
    // Not awaited: the answer does not wait for a bookkeeping write, which happens at most once a minute.
    if (key.touchDue) d.apiKeys.touch(key.id).catch((err) => d.log.error({ err, keyId: key.id }, "could not note an API key's last use"));
    req.tenant = key.tenant;
    req.apiKey = { id: key.id, tenantId: key.tenant.id, allowedCidrs: key.allowedCidrs };
    next();
  };
}

/** Why a key may not be used for this request (unknown, expired, revoked, or from outside its ranges); null: it may. */
export function keyRefusal(key: KeyCheck | null, req: Request, trusted: readonly Cidr[]): Problem | null {
  if (!key) return unauthorized('the API key is not valid');
  if (key.state !== 'valid') return unauthorized(REFUSALS[key.state]);
  if (!key.allowedCidrs.length) return null;
  const ip = clientIp(req.socket.remoteAddress, req.get('x-forwarded-for'), trusted);
  return ip && inAnyCidr(ip, parseCidrs(key.allowedCidrs)) ? null : new Problem(403, 'Forbidden', `this key may not be used from ${ip ?? 'an unknown address'}`);
}
