// sluice limits show | set: a tenant's own limits (a number, or "default" for the operator's setting).
import { LIMIT_NAMES, type LimitName } from '../domain/tenant-limits';
import { table, type Command, type Values } from './command';

const flag = (name: LimitName) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

// "default" clears a limit; anything else is a number for the schema to judge (a word stays text and is refused).
const patchOf = (values: Values) =>
  Object.fromEntries(LIMIT_NAMES.filter((n) => typeof values[flag(n)] === 'string').map((n) => {
    const text = values[flag(n)] as string;
    return [n, text === 'default' ? null : /^\d+$/.test(text) ? Number(text) : text];
  }));

const show = (limits: Record<LimitName, number | null>, out: Parameters<Command['run']>[3]) => {
  if (out.json) return out.line(JSON.stringify(limits));
  table(out, ['LIMIT', 'VALUE'], LIMIT_NAMES.map((n) => [n, limits[n] === null ? 'default' : String(limits[n])]));
};

export const limitCommands: Command[] = [
  {
    usage: 'limits show <tenant>',
    summary: "the tenant's own limits (default: the operator's setting applies)",
    positionals: 1,
    async run(admin, [tenant], _values, out) {
      show(await admin.limits(tenant), out);
    },
  },
  {
    usage: `limits set <tenant> ${LIMIT_NAMES.map((n) => `[--${flag(n)} <n|default>]`).join(' ')}`,
    summary: 'sets the limits given; the others stay as they are',
    positionals: 1,
    options: Object.fromEntries(LIMIT_NAMES.map((n) => [flag(n), { type: 'string' as const }])),
    async run(admin, [tenant], values, out) {
      show(await admin.setLimits(tenant, patchOf(values)), out);
    },
  },
];
