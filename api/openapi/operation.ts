// One operation of the document: its parameters, body, success responses and every error it can answer, each
// error as application/problem+json (api/problem.ts). Operations under /v1 take the tenant's API key.
import type { JsonSchema, Parameter } from './json-schema';

export const PROBLEM = 'application/problem+json';

/** What every error body holds (RFC 9457, as api/problem.ts and api/server.ts write it); some add fields. */
export const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', description: 'always about:blank: the status and title say what happened' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', description: 'what went wrong, for a person' },
    instance: { type: 'string', description: 'the path and query of the request' },
    errors: {
      type: 'array',
      description: 'for bad input: each field refused, with a hint on how to mend it',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string', description: 'e.g. source, filter[0].op, query, body' }, message: { type: 'string' }, hint: { type: 'string' } },
      },
    },
    hint: { type: 'string' },
  },
};

const ERROR_MEANING: Record<number, string> = {
  400: 'Invalid request: errors name each refused field (body, query or path) with a hint',
  401: 'No API key, or one that is not valid (WWW-Authenticate: Bearer)',
  404: 'Not found for this tenant; an id of another shape is a 404 too',
  409: 'Conflict with the current state',
  410: 'Gone',
  413: 'The request body is larger than 1 MB',
  415: 'The body is not JSON (Content-Type application/json, UTF-8)',
  422: 'Unprocessable',
  429: 'Over a limit: the key\'s requests per minute, or a daily quota (GET /v1/limits); Retry-After says when to try again',
  503: 'Temporal cannot be reached: Retry-After and retryable: true; reads keep working',
  504: 'Timed out',
};

type Errors = Partial<Record<number, string>>;

export interface Response {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: JsonSchema }>;
  /** What a client (or a fuzzer's stateful phase) can call next with what this answer holds. */
  links?: Record<string, { operationId: string; parameters: Record<string, string> }>;
}

export interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  parameters?: Parameter[];
  /** A JSON request body: adds 400, 413 and 415. */
  body?: { schema: JsonSchema; description?: string; required?: boolean };
  responses: Record<number, Response>;
  /** Errors beyond those every operation of its kind has, with what they mean here (or the usual meaning). */
  errors?: Errors;
  /** Outside /v1: no API key. */
  public?: boolean;
  /** Instead of the document's (the tenant's key) or, when public, none. */
  security?: Record<string, string[]>[];
}

export const json = (description: string, schema: JsonSchema = { type: 'object' }, headers?: Record<string, unknown>): Response =>
  ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } });

export const noContent = (description: string): Response => ({ description });

/** Links from an answer holding `field` to the operations that take it as their path parameter `param`. */
export const linksTo = (operationIds: string[], param: string, field: string): Response['links'] =>
  Object.fromEntries(operationIds.map((operationId) => [operationId, { operationId, parameters: { [param]: `$response.body#/${field}` } }]));

export const locationHeader = { Location: { description: 'the URL of what was made', schema: { type: 'string' } } };

const problemResponse = (description: string): Response => ({ description, content: { [PROBLEM]: { schema: { $ref: '#/components/schemas/Problem' } } } });

export function operation(spec: OperationSpec) {
  const errors: Errors = {
    ...(spec.public ? {} : { 401: undefined, 403: 'The key may not be used from this address (its allowed ranges)', 429: undefined }),
    ...(spec.body ? { 400: undefined, 413: undefined, 415: undefined } : {}),
    ...spec.errors,
  };
  const responses: Record<string, Response> = {};
  for (const [status, r] of Object.entries(spec.responses)) responses[status] = r;
  for (const [status, meaning] of Object.entries(errors)) responses[status] = problemResponse(meaning ?? ERROR_MEANING[Number(status)] ?? 'Refused');
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    ...(spec.parameters?.length ? { parameters: spec.parameters } : {}),
    ...(spec.body
      ? { requestBody: { required: spec.body.required ?? true, ...(spec.body.description ? { description: spec.body.description } : {}), content: { 'application/json': { schema: spec.body.schema } } } }
      : {}),
    responses,
    ...(spec.security || spec.public ? { security: spec.security ?? [] } : {}),
  };
}

export type Operation = ReturnType<typeof operation>;
export type PathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Operation>>;
