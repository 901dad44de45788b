// Outside /v1, without a tenant's key: liveness, Prometheus, and this document.
import { json, operation, type PathItem } from './operation';

const tag = 'Service';

export const servicePaths: Record<string, PathItem> = {
  '/healthz': {
    get: operation({ operationId: 'health', tag, public: true, summary: 'Liveness: the API process answers', responses: { 200: json('{ok: true}') } }),
  },
  '/metrics': {
    get: operation({
      operationId: 'prometheusMetrics', tag, public: true, summary: 'Prometheus figures of the API process and the fleet (every tenant)',
      security: [{}, { metricsToken: [] }], // the token only when the operator set one
      responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      errors: { 401: 'SLUICE_METRICS_TOKEN is set, and the request does not carry it as a bearer token' },
    }),
  },
  '/openapi.json': {
    get: operation({ operationId: 'openApiDocument', tag, public: true, summary: 'This document (OpenAPI 3.1)', responses: { 200: json('The OpenAPI document') } }),
  },
  '/docs': {
    get: operation({
      operationId: 'apiDocs', tag, public: true, summary: 'This document as a page',
      responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
    }),
  },
};
