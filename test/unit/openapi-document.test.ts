// The OpenAPI document: OpenAPI 3.1's invariants, every route Express has under /v1 in it (and nothing more), and
// every documented error as application/problem+json. The stack's fuzz test validates it against OpenAPI 3.1's
// own JSON Schema and sends it requests.
import type express from 'express';
import { createApp, type ApiDeps } from '../../api/app';
import { openApiDocument } from '../../api/openapi/document';
import type { Operation } from '../../api/openapi/operation';

const doc = openApiDocument();
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method, op: op as Operation })));

// Only what createApp reads while it builds the app: handlers are never called here.
const pass: express.RequestHandler = (_req, _res, next) => next();
const deps = {
  control: { options: { heartbeatTimeoutSeconds: 30 } },
  syncControl: { options: { heartbeatTimeoutSeconds: 30 } },
  prometheus: { timeRequests: pass, endpoint: pass },
  trustedProxies: [],
  log: console,
} as unknown as ApiDeps;

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** "METHOD /path/{param}" of every route in the router stack, mounted routers included (they carry full paths). */
function registeredRoutes(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${path}`);
    }
    return layer.handle?.stack ? registeredRoutes(layer.handle.stack) : [];
  });
}

test('every route Express has under /v1 is documented, and every documented /v1 operation is a route', () => {
  const app = createApp(deps) as express.Express & { router: { stack: Layer[] } };
  const routes = new Set(registeredRoutes(app.router.stack).filter((r) => r.split(' ')[1].startsWith('/v1/')));
  const documented = new Set(operations.filter((o) => o.path.startsWith('/v1/')).map((o) => `${o.method.toUpperCase()} ${o.path}`));
  expect(routes.size).toBeGreaterThan(30);
  expect([...routes].filter((r) => !documented.has(r))).toEqual([]);
  expect([...documented].filter((r) => !routes.has(r))).toEqual([]);
});

test('the service paths outside /v1 are documented and take no API key', () => {
  for (const path of ['/healthz', '/metrics', '/openapi.json', '/docs']) expect(doc.paths).toHaveProperty([path, 'get', 'security']);
});

test('OpenAPI 3.1 invariants: version, unique operation ids, declared path parameters, known security schemes', () => {
  expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  const ids = operations.map((o) => o.op.operationId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const { path, op } of operations) {
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
    expect({ path, params: declared.map((p) => p.name).sort() }).toEqual({ path, params: templated });
    for (const p of declared) expect(p.required).toBe(true);
    const names = (op.parameters ?? []).map((p) => `${p.in} ${p.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(op.responses).length).toBeGreaterThan(0);
    for (const status of Object.keys(op.responses)) expect(status).toMatch(/^[1-5]\d\d$/);
    for (const requirement of op.security ?? []) for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes).toHaveProperty([scheme]);
  }
  expect(doc.components.securitySchemes.apiKey).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
});

test('every documented error is application/problem+json with the Problem schema', () => {
  const problem = doc.components.schemas.Problem as { properties: Record<string, unknown> };
  expect(Object.keys(problem.properties)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'errors']));
  let errors = 0;
  for (const { path, method, op } of operations) {
    for (const [status, r] of Object.entries(op.responses)) {
      if (Number(status) < 400) continue;
      errors++;
      expect({ at: `${method} ${path} ${status}`, content: r.content }).toEqual({
        at: `${method} ${path} ${status}`, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      });
    }
  }
  expect(errors).toBeGreaterThan(operations.length);
});

test('/v1 operations take the API key and say so; those with a body document its refusals', () => {
  // A download link carries its own grant (a token naming the key), not the key.
  for (const { path, op } of operations.filter((o) => o.path.startsWith('/v1/') && o.path !== '/v1/downloads/{token}')) {
    expect({ path, security: op.security }).toEqual({ path, security: undefined }); // the document's: the API key
    expect(op.responses).toHaveProperty(['401']);
    if ('requestBody' in op) for (const status of ['400', '413', '415']) expect(op.responses).toHaveProperty([status]);
  }
});

test('every link names a documented operation and fills its path parameters', () => {
  const byId = new Map(operations.map((o) => [o.op.operationId, o]));
  let links = 0;
  for (const { op } of operations) {
    for (const r of Object.values(op.responses)) {
      for (const link of Object.values(r.links ?? {})) {
        links++;
        const pathParams = (byId.get(link.operationId)?.op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect({ link: link.operationId, params: Object.keys(link.parameters).sort() }).toEqual({ link: link.operationId, params: pathParams.sort() });
      }
    }
  }
  expect(links).toBeGreaterThan(0);
});

test('request bodies are the routes\' zod schemas as JSON Schema', () => {
  const body = (path: string, method: 'post' | 'put') => (doc.paths as Record<string, Record<string, Operation>>)[path][method];
  const extraction = body('/v1/extractions', 'post');
  expect('requestBody' in extraction && extraction.requestBody?.content['application/json'].schema).toMatchObject({
    type: 'object', required: ['source'], additionalProperties: false, properties: { format: { enum: ['csv', 'ndjson', 'parquet'] } },
  });
  const put = body('/v1/connections/{name}', 'put');
  expect('requestBody' in put && put.requestBody?.content['application/json'].schema).not.toHaveProperty('required', expect.arrayContaining(['name']));
});
