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

export const badRequest = (field: string, detail: string, hint?: string) =>
  new Problem(400, 'Invalid request', detail, { errors: [{ field, message: detail, ...(hint ? { hint } : {}) }] });

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
  return {};
}

export const sendProblem = (res: Parameters<RequestHandler>[1], instance: string, p: Problem) =>
  res.status(p.status).set(p.headers).type('application/problem+json').json({
    type: 'about:blank', title: p.title, status: p.status, detail: p.message, instance, ...p.extra,
  });

export const problemHandler = (log: { error(obj: unknown, msg: string): void }): ErrorRequestHandler => (err, req, res, _next) => {
  if (err instanceof Problem) return sendProblem(res, req.originalUrl, err);
  if (err instanceof z.ZodError) return sendProblem(res, req.originalUrl, fromZod(err));
  if (err?.type === 'entity.parse.failed') return sendProblem(res, req.originalUrl, badRequest('body', 'the body is not valid JSON', 'send Content-Type: application/json with a JSON object'));
  if (err?.type === 'entity.too.large') return sendProblem(res, req.originalUrl, new Problem(413, 'Body too large', 'the request body is too large'));
  log.error({ err }, 'unhandled API error');
  return sendProblem(res, req.originalUrl, new Problem(500, 'Internal error', 'an unexpected error occurred; it has been logged'));
};
