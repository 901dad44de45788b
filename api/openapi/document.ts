// The OpenAPI 3.1 document of the API, built from the zod schemas the routes validate with.
import { connectionPaths } from './paths-connections';
import { jobPaths } from './paths-jobs';
import { notificationPaths } from './paths-notifications';
import { schedulePaths } from './paths-schedules';
import { servicePaths } from './paths-service';
import { syncPaths } from './paths-syncs';
import { tenancyPaths } from './paths-tenancy';
import { problemSchema } from './operation';

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice API',
      version: '1',
      description: 'Moves data out of PostgreSQL, durably: extraction jobs to S3 and PostgreSQL sync jobs. Every /v1 request carries ' +
        '"Authorization: Bearer <api key>", which decides the tenant. Every error is application/problem+json (RFC 9457).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: ['Extraction jobs', 'Schedules', 'Connections', 'Sync jobs', 'Webhooks', 'Email', 'Alerts', 'Tenancy', 'Service'].map((name) => ({ name })),
    security: [{ apiKey: [] }],
    paths: { ...jobPaths, ...schedulePaths, ...connectionPaths, ...syncPaths, ...notificationPaths, ...tenancyPaths, ...servicePaths },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: "the tenant's API key" },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'SLUICE_METRICS_TOKEN, when the operator set one' },
      },
      schemas: { Problem: problemSchema },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
