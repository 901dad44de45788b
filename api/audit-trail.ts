// Writes the audit log: every request gets an X-Request-Id (the client's, when it sent a usable one), and each
// audited one (domain/audit.ts) is appended when its answer is sent, with who sent it, from where, what it did
// and to what, and how it went.
import type { Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { actionOf, audited, outcomeOf, REQUEST_ID } from '../domain/audit';
import { parseCidrs } from '../domain/cidr';
import { clientIp } from '../domain/client-ip';
import type { AuditStore } from '../store/audit';

export interface AuditTrailDeps {
  audit: Pick<AuditStore, 'append'>;
  trustedProxies: readonly string[];
  log: { error(obj: unknown, msg: string): void };
}

// The route's pattern when one matched (ids stay out of the action); else the path as asked, cut short.
const routeOf = (req: Request): string => (req.route ? `${req.baseUrl}${req.route.path}` : `${req.baseUrl}${req.path}`.slice(0, 200));

// What the request was about: what its route said (res.locals.auditTarget: a download's file), the id or name in
// its path, or what a create answered with in Location.
function targetOf(req: Request, res: Response): string | null {
  if (typeof res.locals.auditTarget === 'string') return res.locals.auditTarget.slice(0, 200);
  const p = req.params ?? {};
  const named = p.id ?? p.name ?? p.part ?? null;
  if (typeof named === 'string') return named.slice(0, 200);
  const location = res.get('location');
  return location ? location.split('/').pop()!.slice(0, 200) : null;
}

export function auditTrail(d: AuditTrailDeps): RequestHandler {
  const trusted = parseCidrs(d.trustedProxies);
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.set('X-Request-Id', requestId);
    res.on('finish', () => {
      const route = routeOf(req);
      if (!audited(req.method, route, res.statusCode)) return;
      d.audit
        .append({
          tenantId: req.tenant?.id ?? null, keyId: req.apiKey?.id ?? null,
          ip: clientIp(req.socket.remoteAddress, req.get('x-forwarded-for'), trusted)?.toString() ?? null, requestId,
          method: req.method, route, action: actionOf(req.method, route), target: targetOf(req, res),
          status: res.statusCode, outcome: outcomeOf(res.statusCode),
        })
        .catch((err) => d.log.error({ err, requestId }, 'an audit entry was not written'));
    });
    next();
  };
}
