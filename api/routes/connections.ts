import { Router } from 'express';
import { readServerFacts } from '../../connectors/postgres/connection-report';
import { connectionBodySchema, type ConnectionBody } from '../../domain/connection';
import { connectionReport, registrationRefusal } from '../../domain/connection-checks';
import type { ConnectionRecord, ConnectionStore } from '../../store/connections';
import { badRequest, fromZod, notFound, Problem } from '../problem';

export interface ConnectionRouteDeps {
  connections: ConnectionStore;
}

// Never the URL or the password: what was given is only ever read back decrypted, to connect.
const connectionView = (c: ConnectionRecord) => ({
  name: c.name, roles: c.roles, host: c.host, port: c.port, database: c.database, user: c.user, sslmode: c.sslmode,
  queryRole: c.queryRole, allowPrivilegedRole: c.allowPrivilegedRole, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(),
});

function parseBody(body: unknown) {
  const parsed = connectionBodySchema.safeParse(body ?? {});
  if (!parsed.success) throw fromZod(parsed.error);
  return parsed.data;
}

// What the server lets Sluice do with the connection (the report answered with the registration); throws when
// it may not be registered as given (a privileged source without allowPrivilegedRole, a queryRole out of reach).
async function reportOrRefuse(body: ConnectionBody) {
  const reach = await readServerFacts(body.url, { queryRole: body.queryRole });
  const refusal = registrationRefusal(reach, body);
  if (refusal) throw badRequest(refusal.field, refusal.message, refusal.hint);
  return connectionReport(reach, body.roles);
}

export function connectionRoutes(d: ConnectionRouteDeps): Router {
  const router = Router();
  const load = async (tenantId: string, name: string) => {
    const c = await d.connections.get(tenantId, name);
    if (!c) throw notFound(`connection ${name}`);
    return c;
  };

  router.post('/v1/connections', async (req, res) => {
    const body = parseBody(req.body);
    const report = await reportOrRefuse(body);
    const created = await d.connections.create(req.tenant.id, body);
    if (!created) {
      throw new Problem(409, 'Connection exists', `a connection named "${body.name}" is already registered`, {
        hint: `PUT /v1/connections/${body.name} replaces it; or choose another name`,
      });
    }
    res.status(201).location(`/v1/connections/${created.name}`).json({ ...connectionView(created), report });
  });

  // Replaces the connection (or registers it): a new password, host or roles. The name is the path's.
  router.put('/v1/connections/:name', async (req, res) => {
    const given: unknown = req.body ?? {};
    const named = typeof given === 'object' && given !== null && !Array.isArray(given) ? { name: req.params.name, ...given } : given;
    const body = parseBody(named);
    if (body.name !== req.params.name) throw badRequest('name', 'differs from the name in the path', `leave name out, or send "${req.params.name}"`);
    const report = await reportOrRefuse(body);
    const { connection, created } = await d.connections.put(req.tenant.id, body);
    res.status(created ? 201 : 200).location(`/v1/connections/${connection.name}`).json({ ...connectionView(connection), report });
  });

  router.get('/v1/connections', async (req, res) => {
    res.json({ connections: (await d.connections.list(req.tenant.id)).map(connectionView) });
  });

  router.get('/v1/connections/:name', async (req, res) => {
    res.json(connectionView(await load(req.tenant.id, req.params.name)));
  });

  router.delete('/v1/connections/:name', async (req, res) => {
    const result = await d.connections.delete(req.tenant.id, req.params.name);
    if (result.outcome === 'absent') throw notFound(`connection ${req.params.name}`);
    if (result.outcome === 'in_use') {
      const ids = result.usedBy.map((j) => j.id).join(', ');
      throw new Problem(409, 'Connection in use', `connection "${req.params.name}" is used by ${ids}`, {
        usedBy: result.usedBy,
        hint: 'cancel the extractions that read from it, and delete the syncs and schedules that use it, first',
      });
    }
    res.status(204).end();
  });

  // A short session (about 5 s at most) with the connection: what its server lets Sluice do.
  router.post('/v1/connections/:name/test', async (req, res) => {
    const c = await load(req.tenant.id, req.params.name);
    const url = await d.connections.url(req.tenant.id, c.name, c.roles[0]);
    if (!url) throw notFound(`connection ${req.params.name}`); // deleted meanwhile
    res.json({ name: c.name, roles: c.roles, ...connectionReport(await readServerFacts(url, { queryRole: c.queryRole }), c.roles) });
  });

  return router;
}
