// What the API answers to input Express's own machinery refuses (body parser, router), and which job ids it
// looks up at all: always a 4xx problem, never a 500.
import { isJobId } from '../../api/ids';
import { problemHandler } from '../../api/problem';

// As http-errors makes them (body-parser, router): an Error with status, statusCode, expose and the parser's fields.
const createError = (status: number, message: string | Error, props: Record<string, unknown> = {}) =>
  Object.assign(typeof message === 'string' ? new Error(message) : message, { status, statusCode: status, expose: status < 500 }, props);

function answer(err: unknown) {
  const logged: unknown[] = [];
  const sent: { status?: number; type?: string; body?: Record<string, unknown> } = {};
  const res = {
    headersSent: false,
    status(code: number) { sent.status = code; return res; },
    set() { return res; },
    type(t: string) { sent.type = t; return res; },
    json(body: Record<string, unknown>) { sent.body = body; return res; },
  };
  problemHandler({ error: (obj) => logged.push(obj) })(err, { originalUrl: '/v1/x' } as never, res as never, () => undefined);
  return { ...sent, logged };
}

describe('errors of the body parser and the router keep their 4xx', () => {
  const uriError = Object.assign(new URIError("Failed to decode param '%zz'"), { status: 400, statusCode: 400 });
  test.each([
    ['malformed JSON', createError(400, 'Unexpected token', { type: 'entity.parse.failed' }), 400, 'body'],
    ['too large', createError(413, 'request entity too large', { type: 'entity.too.large', limit: 1048576 }), 413, 'body'],
    ['unsupported charset', createError(415, 'unsupported charset "LATIN1"', { type: 'charset.unsupported', charset: 'latin1' }), 415, 'body'],
    ['unsupported coding', createError(415, 'unsupported content encoding "compress"', { type: 'encoding.unsupported', encoding: 'compress' }), 415, 'body'],
    ['aborted', createError(400, 'request aborted', { type: 'request.aborted' }), 400, 'body'],
    ['wrong length', createError(400, 'request size did not match content length', { type: 'request.size.invalid' }), 400, 'body'],
    ['gzip that is not', createError(400, Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR' })), 400, 'body'],
    ['a malformed %-escape', uriError, 400, 'path'],
  ])('%s → %i naming %s', (_name, err, status, field) => {
    const { status: sent, type, body, logged } = answer(err);
    expect(sent).toBe(status);
    expect(type).toBe('application/problem+json');
    expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), errors: [{ field, message: expect.any(String) }] });
    expect(logged).toEqual([]);
  });

  test("what is not the client's fault is a logged 500 without details", () => {
    const { status, body, logged } = answer(new Error('boom'));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain('boom');
    expect(logged).toHaveLength(1);
  });

  test("a 5xx http-error is not taken for the client's fault", () => {
    expect(answer(createError(500, 'stream encoding should not be set', { type: 'stream.encoding.set' })).status).toBe(500);
  });
});

describe('job ids', () => {
  test.each([
    [`job_${'a1'.repeat(10)}`, true],
    [`job_${'0f'.repeat(8)}`, true],
    [`job_${'a'.repeat(15)}`, false],
    [`job_${'a'.repeat(21)}`, false],
    [`job_${'A'.repeat(20)}`, false],
    [`JOB_${'a'.repeat(20)}`, false],
    [`job_${'a'.repeat(20)}\n`, false],
    [`job_${'a'.repeat(19)}\0`, false],
    ['job_', false],
    ['%zz', false],
  ])('%j: %s', (id, ok) => {
    expect(isJobId(id)).toBe(ok);
  });
});
