// Connections: the PostgreSQL databases a tenant registers by name; never shown with a password or URL.
import { connectionBodySchema } from '../../domain/connection';
import { inputSchema, pathParameter } from './json-schema';
import { json, linksTo, locationHeader, noContent, operation, type PathItem } from './operation';

const tag = 'Connections';
const name = pathParameter('name', 'the connection\'s name: a-z, then a-z 0-9 _ -, at most 63', { type: 'string', maxLength: 63 });
const view = (description: string) => json(description, { type: 'object', description: '{name, roles, host, port, database, user, sslmode, queryRole, allowPrivilegedRole, createdAt, updatedAt}; when registered, report: what a test reports' });
const body = inputSchema(connectionBodySchema);
// PUT takes the name from its path: in the body it may be left out (or must be the same).
const putBody = { ...body, required: ((body.required as string[] | undefined) ?? []).filter((f) => f !== 'name') };
// Names go to queries as they are: a NUL in one is refused before (api/ids.ts), as a malformed %-escape is.
export const badPath = { 400: 'The path has a malformed %-escape or a NUL (%00)' };
const toConnection = linksTo(['getConnection', 'putConnection', 'testConnection', 'deleteConnection'], 'name', 'name');
const bodyNote = 'Either url (postgres:// or postgresql://) or host, database and user (port, password, sslmode optional); roles default to both.';

export const connectionPaths: Record<string, PathItem> = {
  '/v1/connections': {
    post: operation({
      operationId: 'createConnection', tag, summary: 'Registers a PostgreSQL connection', body: { schema: body, description: bodyNote },
      responses: { 201: { ...view('Registered'), headers: locationHeader, links: toConnection } }, errors: { 409: 'A connection of that name is registered (PUT replaces it)' },
    }),
    get: operation({ operationId: 'listConnections', tag, summary: "The tenant's connections", responses: { 200: json('{connections: [...]}') } }),
  },
  '/v1/connections/{name}': {
    get: operation({ operationId: 'getConnection', tag, summary: 'A connection', parameters: [name], responses: { 200: view('The connection') }, errors: { ...badPath, 404: undefined } }),
    put: operation({
      operationId: 'putConnection', tag, summary: 'Registers or replaces a connection', parameters: [name], body: { schema: putBody, description: bodyNote },
      responses: { 200: { ...view('Replaced'), links: toConnection }, 201: { ...view('Registered'), headers: locationHeader, links: toConnection } },
    }),
    delete: operation({
      operationId: 'deleteConnection', tag, summary: 'Deletes a connection no active extraction and no sync uses', parameters: [name],
      responses: { 204: noContent('Deleted') }, errors: { ...badPath, 404: undefined, 409: 'In use: usedBy lists the jobs, syncs and schedules' },
    }),
  },
  '/v1/connections/{name}/test': {
    post: operation({
      operationId: 'testConnection', tag, summary: 'Connects (5 s at most) and reports what Sluice can do with the server', parameters: [name],
      responses: { 200: json('{reachable, error, serverVersion, walLevel, replication, replicationSlots, walSenders, canCreateTables, checks: [{name, ok, hint}]}') },
      errors: { ...badPath, 404: undefined },
    }),
  },
};
