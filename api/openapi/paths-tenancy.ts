// The tenant's limits, its audit log, and downloads served by Sluice.
import { auditQuerySchema } from '../../domain/audit';
import { pathParameter, queryParameters } from './json-schema';
import { json, operation, type PathItem } from './operation';

const tag = 'Tenancy';
const usage = (what: string) => `{limit, used, left${what}}`;

export const tenancyPaths: Record<string, PathItem> = {
  '/v1/limits': {
    get: operation({
      operationId: 'getLimits', tag, summary: "The tenant's limits and what is left of each now",
      responses: {
        200: json(`{runningJobs: ${usage('')}, inlineConcurrent: ${usage('')}, dailyRows: ${usage(', resetsAt')}, dailyBytes: ${usage(', resetsAt')}, requestsPerMinute: {limit, left}}; a null limit is none`),
      },
    }),
  },
  '/v1/audit': {
    get: operation({
      operationId: 'listAudit', tag, summary: "The tenant's audit log, newest first: every action and every file read, with key, address and outcome",
      parameters: queryParameters(auditQuerySchema),
      responses: { 200: json('{entries: [{seq, at, keyId, ip, requestId, method, route, action, target, status, outcome}], nextCursor}') },
    }),
  },
  '/v1/downloads/{token}': {
    get: operation({
      operationId: 'download', tag, public: true,
      summary: "A file, through Sluice: the links GET /v1/jobs/{id}/files gives a key with allowed ranges (the token names the key; no Authorization header)",
      parameters: [pathParameter('token', 'the token of the link, as given')],
      responses: {
        200: { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        206: { description: 'The range asked for (Range: bytes=…)', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      },
      errors: { 401: "The link's key was revoked or has expired", 403: "The link's key may not be used from this address", 404: 'No such link (or it expired)', 410: 'The file has expired and was deleted', 416: 'The range is outside the file' },
    }),
  },
};
