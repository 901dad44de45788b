// sluice tenants create | list
import { tenantView } from '../domain/api-key';
import { table, when, type Command } from './command';

export const tenantCommands: Command[] = [
  {
    usage: 'tenants create <id> [--name <name>]',
    summary: 'makes a tenant (its name defaults to the id)',
    positionals: 1,
    options: { name: { type: 'string' } },
    async run(admin, [id], values, out) {
      const tenant = tenantView(await admin.createTenant({ id, name: values.name }));
      if (out.json) return out.line(JSON.stringify(tenant));
      out.line(`Created tenant ${tenant.id} (${tenant.name}).`);
    },
  },
  {
    usage: 'tenants list',
    summary: 'every tenant',
    positionals: 0,
    async run(admin, _args, _values, out) {
      const tenants = (await admin.listTenants()).map(tenantView);
      if (out.json) return out.line(JSON.stringify(tenants));
      table(out, ['ID', 'NAME', 'CREATED'], tenants.map((t) => [t.id, t.name, when(t.createdAt)]));
    },
  },
];
