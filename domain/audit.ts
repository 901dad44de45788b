// What the audit log keeps of a request, and how it names it. Pure.
//
// Kept: every request that acts (any method but GET, HEAD and OPTIONS), every read of files (the files list
// with its links, a download), and every request refused for who sent it (401, 403), whatever its method.
// Plain reads of status are not: a dashboard polling every few seconds would bury the actions in them.
import { z } from 'zod';

export const AUDIT_OUTCOMES = ['ok', 'refused', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FILE_ROUTES = /\/files(\/|$)|\/downloads?(\/|$)/;

export function audited(method: string, route: string, status: number): boolean {
  return !READS.has(method) || FILE_ROUTES.test(route) || status === 401 || status === 403;
}

/** 2xx and 3xx: ok; 4xx: refused (the request's fault or not allowed); 5xx: failed. */
export const outcomeOf = (status: number): AuditOutcome => (status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'ok');

/** "POST /v1/syncs/:id/pause" → "syncs.pause": the route's resource and what was done to it. */
export function actionOf(method: string, route: string): string {
  const parts = route.replace(/^\/(admin\/)?v1(\/|$)/, '').split('/').filter((p) => p && !p.startsWith(':'));
  const resource = parts[0] ?? 'api';
  const rest = parts.slice(1);
  const verb = rest.length ? rest.join('.') : ({ GET: 'read', POST: 'create', PUT: 'put', PATCH: 'update', DELETE: 'delete' } as Record<string, string>)[method] ?? method.toLowerCase();
  return `${route.startsWith('/admin/') ? 'admin.' : ''}${resource}.${verb}`;
}

/** A client's X-Request-Id, when it is one Sluice can keep as it is. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const auditQuerySchema = z.strictObject({
  action: z.string().max(100).optional().describe('e.g. syncs.pause, extractions.create'),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  keyId: z.string().max(100).optional(),
  target: z.string().max(200).optional().describe('the id or name the request was about'),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d{1,19}$/, 'is not a cursor; pass nextCursor of the page before').optional().describe('the nextCursor of the page before'),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
