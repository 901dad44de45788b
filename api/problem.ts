// Every error leaves the API as application/problem+json (RFC 9457): a status, a title, what went wrong and,
// for bad input, the field and a hint. Never a stack trace.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** A 4xx about one field of the input, with a hint on how to mend it. */
export const fieldProblem = (status: number, title: string, field: string, detail: string, hint?: string) =>
  new Problem(status, title, detail, { errors: [{ field, message: detail, ...(hint ? { hint } : {}) }] });

export const badRequest = (field: string, detail: string, hint?: string) => fieldProblem(400, 'Invalid request', field, detail, hint);

export const notFound = (what: string) => new Problem(404, 'Not found', `${what} was not found`);

export function fromZod(err: z.ZodError, where: 'body' | 'query' = 'body'): Problem {
  const errors = err.issues.map((i) => {
    const field = i.path.length ? i.path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n ? '.' : ''}${String(p)}`)).join('') : where;
    return { field, message: i.message, ...hintFor(i) };
  });
  return new Problem(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

function hintFor(issue: z.core.$ZodIssue): { hint?: string } {
  if (issue.code === 'unrecognized_keys') return { hint: `remove ${issue.keys.join(', ')}` };
  if (issue.code === 'invalid_value' && 'values' in issue) return { hint: `one of: ${issue.values.join(', ')}` };
  if (issue.code === 'custom' && typeof issue.params?.hint === 'string') return { hint: issue.params.hint };
  return {};
}

export const sendProblem = (res: Parameters<RequestHandler>[1], instance: string, p: Problem) =>
  res.status(p.status).set(p.headers).type('application/problem+json').json({
    type: 'about:blank', title: p.title, status: p.status, detail: p.message, instance, ...p.extra,
  });

const JSON_BODY_HINT = 'send a JSON object in UTF-8 with Content-Type: application/json';

// What the body parser (body-parser, raw-body) refuses, by its error's `type`: the request's fault, a 4xx.
const BODY_PROBLEMS: Record<string, (err: HttpError) => Problem> = {
  'entity.parse.failed': () => badRequest('body', 'the body is not valid JSON', JSON_BODY_HINT),
  'entity.too.large': (e) =>
    fieldProblem(413, 'Body too large', 'body', `the request body is larger than ${e.limit ?? 'the limit of'} bytes`, 'a request is a few kB; send less'),
  'charset.unsupported': (e) =>
    fieldProblem(415, 'Unsupported charset', 'body', `the body's charset "${e.charset ?? '?'}" is not supported`, JSON_BODY_HINT),
  'encoding.unsupported': (e) =>
    fieldProblem(415, 'Unsupported content encoding', 'body', `the body's Content-Encoding "${e.encoding ?? '?'}" is not supported`, 'send the body as is, or with Content-Encoding gzip, deflate or br'),
  'request.aborted': () => badRequest('body', 'the request was aborted before its body was complete'),
  'request.size.invalid': () => badRequest('body', 'the body is not as long as its Content-Length says', 'send a Content-Length that matches the body, or none'),
};

// Errors of Express's own machinery (body-parser, router, http-errors) carry their status.
interface HttpError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  limit?: unknown;
  charset?: unknown;
  encoding?: unknown;
}

function clientError(err: HttpError): Problem | null {
  const status = typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : 0;
  if (status < 400 || status > 499) return null;
  const known = typeof err.type === 'string' ? BODY_PROBLEMS[err.type] : undefined;
  if (known) return known(err);
  // A path whose %-escapes do not decode (the router's decode of a parameter).
  if (err instanceof URIError) return badRequest('path', 'the URL has a malformed %-escape', 'escape "%" as %25; every % starts two hex digits');
  // A body that could not be read, e.g. a gzip Content-Encoding whose bytes are not gzip.
  if (typeof err.type !== 'string' && status === 400) return badRequest('body', 'the body could not be read', JSON_BODY_HINT);
  return new Problem(status, 'Invalid request', 'the request was refused');
}

export const problemHandler = (log: { error(obj: unknown, msg: string): void }): ErrorRequestHandler => (err, req, res, next) => {
  if (res.headersSent) return next(err); // too late for a problem: Express ends the response
  if (err instanceof Problem) return sendProblem(res, req.originalUrl, err);
  if (err instanceof z.ZodError) return sendProblem(res, req.originalUrl, fromZod(err));
  const refused = err && typeof err === 'object' ? clientError(err as HttpError) : null;
  if (refused) return sendProblem(res, req.originalUrl, refused);
  log.error({ err }, 'unhandled API error');
  return sendProblem(res, req.originalUrl, new Problem(500, 'Internal error', 'an unexpected error occurred; it has been logged'));
};
