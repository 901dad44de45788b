// A tenant's PostgreSQL connection, as the API takes it (a URL, or its parts) and shows it (never the password).
// Pure: the URL is only parsed here; the store encrypts it, connectors/ connect with it.
import { z } from 'zod';
import { pgText } from './pg-text';

export const CONNECTION_ROLES = ['source', 'target'] as const;
export type ConnectionRole = (typeof CONNECTION_ROLES)[number];

// What node-postgres understands in `sslmode` (no-verify: TLS without checking the certificate).
export const SSL_MODES = ['disable', 'no-verify', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const NAME_HINT = 'start with a-z, then up to 62 of a-z 0-9 _ -';

/** What may be shown of a connection: everything but the password. */
export interface ConnectionFields {
  host: string;
  port: number;
  database: string;
  user: string;
  /** The URL's sslmode; null when it has none (node-postgres then connects without TLS). */
  sslmode: string | null;
}

export class ConnectionUrlError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

const URL_HINT = 'postgresql://user:password@host:5432/database?sslmode=require';

/** The parts of a postgres:// URL. Throws ConnectionUrlError, whose message never repeats the URL (it may hold a password). */
export function describeConnectionUrl(text: string): ConnectionFields {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConnectionUrlError('is not a URL', `write it as ${URL_HINT}`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new ConnectionUrlError(`has the scheme "${u.protocol.slice(0, 20)}", not postgres:// or postgresql://`, `write it as ${URL_HINT}`);
  }
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode !== null && !(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new ConnectionUrlError(`has an sslmode that is not one of ${SSL_MODES.join(', ')}`, 'use sslmode=require, verify-full, …');
  }
  try {
    const user = decodeURIComponent(u.username);
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || u.searchParams.get('host') || '';
    if (!host) throw new ConnectionUrlError('names no host', `write it as ${URL_HINT}`);
    // libpq's defaults: the database is named after the user.
    const fields = { host, port: Number(u.port || 5432), database: decodeURIComponent(u.pathname.slice(1)) || user, user, sslmode };
    if ([host, fields.database, user].some((v) => v.includes('\0'))) throw new ConnectionUrlError('holds a NUL character (%00)', 'remove the %00');
    return fields;
  } catch (err) {
    if (err instanceof ConnectionUrlError) throw err;
    throw new ConnectionUrlError('has a malformed %-escape', 'escape "%" as %25; every % starts two hex digits');
  }
}

// An unpaired surrogate would throw here; the part's own check refuses it, naming its field.
const enc = (part: string) => encodeURIComponent(part.replace(/\p{Cs}/gu, '\ufffd'));
const portOf = z.number().int().refine((p) => p >= 1 && p <= 65535, { message: 'is not a TCP port', params: { hint: '1 to 65535; PostgreSQL listens on 5432 by default' } });
const ROLES_HINT = 'e.g. ["source"], ["target"] or ["source", "target"]';
// libpq's connection strings end at a NUL, and a URL holds no unpaired surrogate: no part of one may hold either.
const part = (max: number) => pgText(z.string().min(1).max(max));

const bodyShape = z.object({
  name: z.string().refine((n) => NAME.test(n), { message: 'is not a valid connection name', params: { hint: NAME_HINT } }),
  roles: z.array(z.enum(CONNECTION_ROLES)).default(['source', 'target']),
  url: z.string().max(4000).optional(),
  host: part(253).refine((h) => !/[\s/?#@]/.test(h), { message: 'is not a host name or address', params: { hint: 'e.g. db.example.com, 10.0.0.5 or ::1' } }).optional(),
  port: portOf.optional(),
  database: part(63).optional(),
  user: part(63).optional(),
  password: pgText(z.string().max(1000)).optional(),
  sslmode: z.enum(SSL_MODES).optional(),
  queryRole: part(63).optional().describe('role a query-mode extraction runs as (SET ROLE); the login role must be a member of it'),
  allowPrivilegedRole: z.boolean().default(false).describe('register a source whose login role is a superuser or may read or write server files, run programs or signal backends'),
}).strict();

const FIELDS = ['host', 'port', 'database', 'user', 'password', 'sslmode'] as const;

/** The body of POST /v1/connections (and PUT /v1/connections/:name): `url`, or its parts; out comes the URL. */
export const connectionBodySchema = bodyShape
  .superRefine((b, ctx) => {
    const parts = FIELDS.filter((f) => b[f] !== undefined);
    if (b.url !== undefined && parts.length) {
      ctx.addIssue({ code: 'custom', path: [parts[0]], message: 'give either url or its parts, not both', params: { hint: `remove ${parts.join(', ')} or url` } });
    } else if (b.url === undefined) {
      for (const f of ['host', 'database', 'user'] as const) {
        if (b[f] === undefined) ctx.addIssue({ code: 'custom', path: [f], message: 'is required without url', params: { hint: `give url, or host, database and user` } });
      }
    }
    if (!b.roles.length) ctx.addIssue({ code: 'custom', path: ['roles'], message: 'names no role', params: { hint: ROLES_HINT } });
    if (new Set(b.roles).size !== b.roles.length) ctx.addIssue({ code: 'custom', path: ['roles'], message: 'names a role twice', params: { hint: ROLES_HINT } });
    if (b.queryRole !== undefined && !b.roles.includes('source')) {
      ctx.addIssue({ code: 'custom', path: ['queryRole'], message: 'applies to a connection with role source', params: { hint: 'add "source" to roles, or leave queryRole out' } });
    }
    const url = b.url ?? (b.host !== undefined ? buildUrl(b) : undefined);
    if (url === undefined) return;
    try {
      describeConnectionUrl(url);
    } catch (err) {
      const e = err as ConnectionUrlError;
      ctx.addIssue({ code: 'custom', path: [b.url === undefined ? 'host' : 'url'], message: e.message, params: { hint: e.hint } });
    }
  })
  .transform((b) => ({
    name: b.name, roles: CONNECTION_ROLES.filter((r) => b.roles.includes(r)), url: b.url ?? buildUrl(b),
    queryRole: b.queryRole ?? null, allowPrivilegedRole: b.allowPrivilegedRole,
  }));
export type ConnectionBody = z.output<typeof connectionBodySchema>;

function buildUrl(b: z.infer<typeof bodyShape>): string {
  const host = b.host!.includes(':') ? `[${b.host}]` : b.host!;
  const auth = `${enc(b.user ?? '')}${b.password === undefined ? '' : `:${enc(b.password)}`}`;
  return `postgresql://${auth}@${host}:${b.port ?? 5432}/${enc(b.database ?? '')}${b.sslmode ? `?sslmode=${b.sslmode}` : ''}`;
}
