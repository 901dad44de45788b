// sluice keys create | list | rotate | revoke
import { apiKeyView, DEFAULT_GRACE, type ApiKeyView } from '../domain/api-key';
import type { NewKeyAnswer } from '../store/tenant-admin';
import { table, when, type Command, type Output } from './command';

// The key goes to the output once, on a line of its own; it cannot be shown again.
function printNewKey(out: Output, made: NewKeyAnswer, extra: Record<string, unknown> = {}): void {
  const view = apiKeyView(made.record);
  if (out.json) return out.line(JSON.stringify({ ...view, key: made.key, ...extra }));
  out.line(`Created key ${view.id} for tenant ${view.tenant}${view.expiresAt ? `, valid until ${view.expiresAt}` : ''}:`);
  out.line(made.key);
  out.line('Keep it now: Sluice stores only its hash and cannot show it again.');
}

const keyRow = (k: ApiKeyView) => [k.id, k.label, k.status, when(k.createdAt), when(k.expiresAt), when(k.revokedAt), when(k.lastUsedAt), k.allowedCidrs.join(',')];

export const keyCommands: Command[] = [
  {
    usage: 'keys create <tenant> [--label <text>] [--allow-cidr <cidr>]... [--expires-in <duration>]',
    summary: 'makes an API key and prints it, this once (no --allow-cidr: usable from anywhere; durations: 90s, 15m, 24h, 30d)',
    positionals: 1,
    options: { label: { type: 'string' }, 'allow-cidr': { type: 'string', multiple: true }, 'expires-in': { type: 'string' } },
    async run(admin, [tenant], values, out) {
      printNewKey(out, await admin.createKey({ tenant, label: values.label, allowedCidrs: values['allow-cidr'], expiresIn: values['expires-in'] }));
    },
  },
  {
    usage: 'keys list <tenant>',
    summary: "the tenant's keys (never the keys themselves)",
    positionals: 1,
    async run(admin, [tenant], _values, out) {
      const keys = (await admin.listKeys(tenant)).map((k) => apiKeyView(k));
      if (out.json) return out.line(JSON.stringify(keys));
      table(out, ['ID', 'LABEL', 'STATUS', 'CREATED', 'EXPIRES', 'REVOKED', 'LAST USED', 'CIDRS'], keys.map(keyRow));
    },
  },
  {
    usage: `keys rotate <key id> [--grace <duration>]`,
    summary: `a new key with the same tenant, label and ranges; the old one stays valid for the grace (default ${DEFAULT_GRACE})`,
    positionals: 1,
    options: { grace: { type: 'string' } },
    async run(admin, [id], values, out) {
      const rotated = await admin.rotateKey(id, { grace: values.grace });
      const previous = apiKeyView(rotated.previous);
      printNewKey(out, rotated, { previous });
      if (!out.json) out.line(`Key ${previous.id} stays valid until ${previous.expiresAt}.`);
    },
  },
  {
    usage: 'keys revoke <key id>',
    summary: 'the key stops working at once',
    positionals: 1,
    async run(admin, [id], _values, out) {
      const key = apiKeyView(await admin.revokeKey(id));
      if (out.json) return out.line(JSON.stringify(key));
      out.line(`Revoked key ${key.id} of tenant ${key.tenant} at ${key.revokedAt}.`);
    },
  },
];
