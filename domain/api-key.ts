// Tenants and API keys as the admin surface (the `sluice` CLI and /admin/v1) takes and shows them: one set of
// schemas for both, so a CIDR or a duration means the same wherever it is typed.
import { z } from 'zod';
import { cidrText, parseCidr } from './cidr';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds in "90s", "15m", "24h", "30d"; null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,9})([smhd])$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[match[2]] : null;
}

const duration = (maxDays: number) =>
  z.string().transform((text, ctx) => {
    const seconds = parseDuration(text);
    if (seconds === null || seconds > maxDays * UNIT_SECONDS.d) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration up to ${maxDays}d`, params: { hint: 'a whole number and a unit: 90s, 15m, 24h, 30d' } });
      return z.NEVER;
    }
    return seconds;
  });

/** A range as typed, in its one spelling (2001:DB8:0::/32 → 2001:db8::/32); refused with why. */
export const cidrSchema = z.string().max(100).transform((text, ctx) => {
  const parsed = parseCidr(text);
  if ('cidr' in parsed) return cidrText(parsed.cidr);
  ctx.addIssue({ code: 'custom', message: parsed.error });
  return z.NEVER;
});

export const tenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a tenant id is 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit');

export const newTenantSchema = z.strictObject({ id: tenantIdSchema, name: z.string().min(1).max(200).optional() });

export const newKeySchema = z.strictObject({
  tenant: tenantIdSchema,
  label: z.string().max(200).default(''),
  // No ranges: the key may be used from anywhere.
  allowedCidrs: z.array(cidrSchema).max(100).default([]).transform((list) => [...new Set(list)]),
  expiresIn: duration(3650).optional(),
});
export type NewKey = z.infer<typeof newKeySchema>;

export const DEFAULT_GRACE = '24h';
export const rotateKeySchema = z.strictObject({ grace: duration(365).default(parseDuration(DEFAULT_GRACE)!) });

export interface TenantRecord {
  id: string;
  name: string;
  createdAt: Date;
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  label: string;
  allowedCidrs: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** The key made when this one was rotated. */
  rotatedTo: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const tenantView = (t: TenantRecord) => ({ id: t.id, name: t.name, createdAt: t.createdAt.toISOString() });

/** What is shown of a key: never the key, which only its hash stands for once it is made. */
export const apiKeyView = (k: ApiKeyRecord, now = new Date()) => ({
  id: k.id,
  tenant: k.tenantId,
  label: k.label,
  status: k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt <= now ? 'expired' : 'active',
  allowedCidrs: k.allowedCidrs,
  createdAt: k.createdAt.toISOString(),
  expiresAt: iso(k.expiresAt),
  revokedAt: iso(k.revokedAt),
  lastUsedAt: iso(k.lastUsedAt),
  rotatedTo: k.rotatedTo,
});
export type ApiKeyView = ReturnType<typeof apiKeyView>;
