// A corpus of hostile requests replayed against the real API: malformed %-escapes, NULs and unpaired
// surrogates in every field, wrong content types and charsets, malformed and oversized bodies, oversized URLs
// and headers, wrong methods, unknown routes, wrong shapes, deep nesting, numbers out of range, Unicode
// oddities, prototype keys and broken HTTP. None may get a 5xx; every 4xx is problem+json whose status is the
// response's, and when it is about a field it names the field.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Client as PgClient } from 'pg';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { send, sendBytes, type RawRequest, type RawResponse } from './raw-http';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
const table = uniqueName('hostile');

beforeAll(async () => {
  s = await testSluice();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text, at timestamptz)`);
  await src.query(`INSERT INTO ${table} SELECT g, 'n' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 day' FROM generate_series(1, 20) g`);
  await src.query(`ANALYZE ${table}`);
});

afterAll(async () => {
  await api?.close();
  await src?.end();
  await s?.close();
});

interface Case {
  /** The request; `Authorization` is added unless `auth` is false or the case sets its own. */
  req?: RawRequest & { auth?: boolean };
  /** Bytes written as they are on a fresh connection ("Bearer KEY" becomes the tenant's key). */
  bytes?: string | Buffer;
  /** The status expected; any status below 500 when absent. */
  status?: number;
  /** The field the problem must name in `errors`. */
  field?: string;
}
type Named = [string, Case];

const hex = (n: number) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
const JOB = `job_${hex(20)}`; // well-formed, no such job
const KEY_HEADER = () => ({ authorization: `Bearer ${s.apiKey}` });
const show = (v: unknown) => JSON.stringify(v).slice(0, 100);
const statuses = new Map<number, number>();

async function replay(c: Case): Promise<RawResponse> {
  if (c.bytes !== undefined) return sendBytes(api.url, typeof c.bytes === 'string' ? c.bytes.replace('Bearer KEY', `Bearer ${s.apiKey}`) : c.bytes);
  const { auth = true, ...req } = c.req!;
  const headers = { ...(auth ? KEY_HEADER() : {}), ...req.headers };
  return send(api.url, { ...req, headers });
}

async function check(c: Case) {
  const res = await replay(c);
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const said = `${res.status} ${res.headers['content-type']} ${res.body.toString('utf8').slice(0, 300)}`;
  if (res.status >= 500) throw new Error(`a ${res.status}: ${said}`);
  if (c.status !== undefined) expect({ status: res.status, said }).toEqual({ status: c.status, said });
  if (res.status < 400) return res;
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (c.req?.method === 'HEAD') return res;
  const problem = JSON.parse(res.body.toString('utf8'));
  expect(problem).toMatchObject({ type: expect.any(String), title: expect.any(String), status: res.status, detail: expect.any(String) });
  expect(res.body.toString()).not.toMatch(/\n\s+at /); // never a stack trace
  if (c.field !== undefined) {
    expect({ fields: (problem.errors ?? []).map((e: { field: string }) => e.field), said }).toEqual({ fields: expect.arrayContaining([c.field]), said });
    expect(problem.errors.find((e: { field: string }) => e.field === c.field)).toMatchObject({ message: expect.any(String) });
  }
  return res;
}

const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): RawRequest => ({
  method: 'POST', path: '/v1/extractions', headers, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
});
const base = () => ({ source: 'src', table, mode: 'inline', compression: 'none' });

// --- job ids in the path -------------------------------------------------------------------------------------
const JOB_ROUTES: [string, string][] = [
  ['GET', ''], ['GET', '/files'], ['GET', '/runs'], ['DELETE', ''], ['POST', '/pause'], ['POST', '/resume'], ['POST', '/restart'], ['POST', '/cancel'],
];
const BAD_IDS = [
  '%zz', '%', '%2', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%00', 'job_%00', `${JOB}%00`, `%00${JOB}`, '..', '%2e%2e', 'job_', 'job',
  `JOB_${hex(20)}`, `job_${hex(20).toUpperCase().replace(/^./, 'A')}`, `job_${'g'.repeat(20)}`, `job_${hex(15)}`, `job_${hex(21)}`, `${JOB}%20`,
  `${JOB}.json`, encodeURIComponent("job_' OR '1'='1"), '%F0%9F%98%80', 'x'.repeat(5000), '%u0000', '%%', '%25zz', '__proto__', 'constructor',
  '-1', '1e9999', '%0d%0aSet-Cookie:%20x=1', encodeURIComponent(`job_\u202e${hex(20)}`),
];
const idCases: Named[] = JOB_ROUTES.flatMap(([method, tail]) =>
  BAD_IDS.map((id): Named => [`${method} /v1/jobs/${id.slice(0, 40)}${tail}`, { req: { method, path: `/v1/jobs/${id}${tail}` }, status: 404, field: 'id' }]),
);
const unknownJobCases: Named[] = [
  ...JOB_ROUTES.map(([method, tail]): Named => [`${method} an unknown job${tail}`, { req: { method, path: `/v1/jobs/${JOB}${tail}` }, status: 404 }]),
  ...JOB_ROUTES.map(([method, tail]): Named => [`${method} an unknown job (16 hex)${tail}`, { req: { method, path: `/v1/jobs/job_${hex(16)}${tail}` }, status: 404 }]),
  ['POST an unknown action', { req: { method: 'POST', path: `/v1/jobs/${JOB}/explode` }, status: 404 }],
  ['POST a malformed action', { req: { method: 'POST', path: `/v1/jobs/${JOB}/%zz` }, status: 404 }],
  ['GET a malformed sub-resource', { req: { method: 'GET', path: `/v1/jobs/${JOB}/%E0%A4%A` }, status: 404 }],
  ['HEAD a malformed id', { req: { method: 'HEAD', path: '/v1/jobs/%zz' }, status: 404 }],
];

// --- NULs and unpaired surrogates in every string of the body ------------------------------------------------
const stringFields = (bad: string): [string, Record<string, unknown>][] => [
  ['source', { ...base(), source: `src${bad}` }],
  ['table', { ...base(), table: `${table}${bad}` }],
  ['table', { ...base(), table: `public.${bad}${table}` }],
  ['columns[1]', { ...base(), columns: ['id', `name${bad}`] }],
  ['filter[0].column', { ...base(), filter: [{ column: `id${bad}`, op: 'is_null' }] }],
  ['filter[0].value', { ...base(), filter: [{ column: 'name', op: 'eq', value: `n1${bad}` }] }],
  ['filter[0].value', { ...base(), filter: [{ column: 'name', op: 'like', value: `%${bad}%` }] }],
  ['filter[0].value[2]', { ...base(), filter: [{ column: 'name', op: 'in', value: ['n1', 'n2', bad] }] }],
  ['filter[0].value', { ...base(), filter: [{ column: 'at', op: 'gte', value: `2024-01-01${bad}` }] }],
  ['orderBy[0].column', { ...base(), orderBy: [{ column: `id${bad}` }] }],
  ['query', { source: 'src', mode: 'inline', query: `SELECT id AS "a${bad}b" FROM ${table}` }],
  ['query', { source: 'src', mode: 'inline', query: `SELECT '${bad}'::text AS v` }],
  ['timeZone', { ...base(), timeZone: `UTC${bad}` }],
  ['timeZone', { ...base(), timeZone: `Europe/Paris${bad}` }],
];
const badStringCases: Named[] = ['\u0000', '\ud800', '\udc00\ud800'].flatMap((bad) =>
  stringFields(bad).flatMap(([field, body]) =>
    ['inline', 'auto', 'job'].map((mode): Named => [`${show(bad)} in ${field}, mode ${mode}: ${show(body).slice(0, 70)}`, { req: post({ ...body, mode }), status: 400, field }]),
  ),
);
badStringCases.push(
  ['NUL in a key', { req: post(`{"source":"src","table":"${table}","mode\\u0000":"inline"}`), status: 400, field: 'body' }],
  ['NUL raw in the JSON text', { req: post(Buffer.from(`{"source":"src\0","table":"${table}"}`)), status: 400, field: 'body' }],
);

// --- content types, charsets, content codings -----------------------------------------------------------------
const JSON_BODY = JSON.stringify(base());
const contentCases: Named[] = [
  ['charset latin1', { req: post(JSON_BODY, { 'content-type': 'application/json; charset=latin1' }), status: 415, field: 'body' }],
  ['charset iso-8859-1', { req: post(JSON_BODY, { 'content-type': 'application/json; charset=iso-8859-1' }), status: 415, field: 'body' }],
  ['charset foo', { req: post(JSON_BODY, { 'content-type': 'application/json; charset=foo' }), status: 415, field: 'body' }],
  ['charset utf-ebcdic', { req: post(JSON_BODY, { 'content-type': 'application/json; charset=utf-ebcdic' }), status: 415, field: 'body' }],
  ['charset utf-16 on UTF-8 bytes', { req: post(JSON_BODY, { 'content-type': 'application/json; charset=utf-16' }), status: 400, field: 'body' }],
  ['charset utf-16le with its bytes', { req: post(Buffer.from(`\ufeff${JSON_BODY}`, 'utf16le'), { 'content-type': 'application/json; charset=utf-16le' }), status: 200 }],
  ['charset "utf-8" quoted', { req: post(JSON_BODY, { 'content-type': 'application/json; charset="utf-8"' }), status: 200 }],
  ['charset without a value', { req: post(JSON_BODY, { 'content-type': 'application/json; charset' }) }],
  ['two media types', { req: post(JSON_BODY, { 'content-type': 'application/json, text/plain' }) }],
  ['APPLICATION/JSON', { req: post(JSON_BODY, { 'content-type': 'APPLICATION/JSON' }), status: 200 }],
  ['a UTF-8 BOM', { req: post(`\ufeff${JSON_BODY}`), status: 200 }],
  ['text/plain', { req: post(JSON_BODY, { 'content-type': 'text/plain' }), status: 415, field: 'body' }],
  ['a form', { req: post(`source=src&table=${table}`, { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, field: 'body' }],
  ['multipart', { req: post('--x\r\n\r\n{}\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }), status: 415, field: 'body' }],
  ['application/xml', { req: post('<source>src</source>', { 'content-type': 'application/xml' }), status: 415, field: 'body' }],
  ['no Content-Type with a body', { req: post(JSON_BODY, {}), status: 415, field: 'body' }],
  ['an empty Content-Type', { req: post(JSON_BODY, { 'content-type': '' }), status: 415, field: 'body' }],
  ['a malformed Content-Type', { req: post(JSON_BODY, { 'content-type': '/;;;=' }), status: 415, field: 'body' }],
  ['no body and no type', { req: { method: 'POST', path: '/v1/extractions' }, status: 400, field: 'source' }],
  ['gzip body', { req: post(gzipSync(JSON_BODY), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), status: 200 }],
  ['gzip that is not gzip', { req: post(JSON_BODY, { 'content-type': 'application/json', 'content-encoding': 'gzip' }), status: 400, field: 'body' }],
  ['deflate that is not deflate', { req: post(JSON_BODY, { 'content-type': 'application/json', 'content-encoding': 'deflate' }), status: 400, field: 'body' }],
  ['br that is not br', { req: post(JSON_BODY, { 'content-type': 'application/json', 'content-encoding': 'br' }), status: 400, field: 'body' }],
  ['Content-Encoding compress', { req: post(JSON_BODY, { 'content-type': 'application/json', 'content-encoding': 'compress' }), status: 415, field: 'body' }],
  ['Content-Encoding gzip, gzip', { req: post(gzipSync(gzipSync(JSON_BODY)), { 'content-type': 'application/json', 'content-encoding': 'gzip, gzip' }), status: 415, field: 'body' }],
  ['a gzip bomb', { req: post(gzipSync(Buffer.alloc(50_000_000, 0x20)), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), status: 413, field: 'body' }],
  ['a truncated gzip body', { req: post(gzipSync(JSON_BODY).subarray(0, 20), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), status: 400, field: 'body' }],
];

// --- malformed JSON --------------------------------------------------------------------------------------------
const MALFORMED = [
  '{', '{"source":', 'nul', "{'source':'src'}", '{"source":"src",}', '{"source":"src"}}', '{"a":NaN}', '{"a":Infinity}', '// c\n{}',
  '{"a":"\\x41"}', '{"a":"\\u00"}', '{"a":"unterminated}', 'undefined', 'null', 'true', '"text"', '123', ' ', '\u0000', '{"source":"src"}\u0000',
  '['.repeat(100_000), '{"a":1}{"b":2}', '\ufeff\ufeff{}', '{"a":01}', '{"a":-}', '{"a":.5}', '{"a":1e}', '{"a\n":1}',
];
const jsonCases: Named[] = MALFORMED.map((text): Named => [`malformed JSON ${show(text).slice(0, 40)}`, { req: post(text), status: 400, field: 'body' }]);
jsonCases.push(['an empty JSON body', { req: post(''), status: 400, field: 'source' }]);

// --- sizes ---------------------------------------------------------------------------------------------------
const sizeCases: Named[] = [
  ['a body just over 1 MB', { req: post({ ...base(), query: 'x'.repeat(1_048_577) }), status: 413, field: 'body' }],
  ['a 10 MB body', { req: post(`{"source":"${'x'.repeat(10_000_000)}"}`), status: 413, field: 'body' }],
  ['a query of 100,001 characters', { req: post({ source: 'src', query: `SELECT 1 --${'x'.repeat(99_990)}`, mode: 'inline' }), status: 400, field: 'query' }],
  ['1,601 columns', { req: post({ ...base(), columns: Array.from({ length: 1601 }, (_, i) => `c${i}`) }), status: 400, field: 'columns' }],
  ['101 filters', { req: post({ ...base(), filter: Array.from({ length: 101 }, () => ({ column: 'id', op: 'is_not_null' })) }), status: 400, field: 'filter' }],
  ['an in-list of 10,001', { req: post({ ...base(), filter: [{ column: 'id', op: 'in', value: Array.from({ length: 10_001 }, (_, i) => i) }] }), status: 400, field: 'filter[0].value' }],
  ['33 orderBy', { req: post({ ...base(), orderBy: Array.from({ length: 33 }, () => ({ column: 'id' })) }), status: 400, field: 'orderBy' }],
  ['a source name of 64', { req: post({ ...base(), source: 's'.repeat(64) }), status: 400, field: 'source' }],
  ['a table name of 128', { req: post({ ...base(), table: 't'.repeat(128) }), status: 400, field: 'table' }],
  ['a time zone of 65', { req: post({ ...base(), timeZone: 'Z'.repeat(65) }), status: 400, field: 'timeZone' }],
  ['an in-list of 10,000 unknown names', { req: post({ ...base(), filter: [{ column: 'name', op: 'in', value: Array.from({ length: 10_000 }, (_, i) => `x${i}`) }] }), status: 200 }],
];

// --- URLs and headers over the parser's limit -----------------------------------------------------------------
const urlCases: Named[] = [
  ['a 60,000-character URL', { req: { path: `/v1/jobs/${'a'.repeat(60_000)}` }, status: 431 }],
  ['a 60,000-character query string', { req: { path: `/v1/jobs?cursor=${'a'.repeat(60_000)}` }, status: 431 }],
  ['a 17,000-character unknown path', { req: { path: `/${'x'.repeat(17_000)}` }, status: 431 }],
  ['a 20 kB header', { req: { path: '/v1/jobs', headers: { 'x-big': 'a'.repeat(20_000) } }, status: 431 }],
  ['300 headers of 100 bytes', { req: { path: '/v1/jobs', headers: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`x-h${i}`, 'a'.repeat(90)])) }, status: 431 }],
  ['a 10,000-character id', { req: { path: `/v1/jobs/${'a'.repeat(10_000)}` }, status: 404, field: 'id' }],
  ['a 10,000-character cursor', { req: { path: `/v1/jobs?cursor=${'a'.repeat(10_000)}` }, status: 400, field: 'cursor' }],
];

// --- methods and routes --------------------------------------------------------------------------------------
const routeCases: Named[] = [
  ...['GET', 'PUT', 'PATCH', 'DELETE'].map((method): Named => [`${method} /v1/extractions`, { req: { method, path: '/v1/extractions' }, status: 404 }]),
  ['POST /v1/jobs', { req: { method: 'POST', path: '/v1/jobs', headers: { 'content-type': 'application/json' }, body: '{}' }, status: 404 }],
  ['PUT a job', { req: { method: 'PUT', path: `/v1/jobs/${JOB}` }, status: 404 }],
  ['PATCH a job action', { req: { method: 'PATCH', path: `/v1/jobs/${JOB}/cancel` }, status: 404 }],
  ['GET a job action', { req: { method: 'GET', path: `/v1/jobs/${JOB}/pause` }, status: 404 }],
  ['PROPFIND', { req: { method: 'PROPFIND', path: '/v1/jobs' }, status: 404 }],
  ['TRACE', { req: { method: 'TRACE', path: '/v1/jobs' }, status: 404 }],
  ['an unknown method FOO', { req: { method: 'FOO', path: '/v1/jobs' }, status: 400 }],
  ['OPTIONS', { req: { method: 'OPTIONS', path: '/v1/extractions' } }],
  ['HEAD the list', { req: { method: 'HEAD', path: '/v1/jobs' }, status: 200 }],
  ...[
    '/', '/v2/jobs', '/v1', '/v1/', '/v1/nope', '/v1/extractions/x', `/v1/jobs/${JOB}/files/x`, '/%zz', '/v1/%zz', '/v1/extractions%zz',
    '/..%2f..%2fetc%2fpasswd', '//v1//jobs', `/v1/jobs/${JOB}/../..`, '/healthz/x', `/v1/jobs/${JOB};x`, '/*', '/v1/jobs/%2e%2e/files', '/v1/jobs//files',
  ].map((path): Named => [`unknown route ${path}`, { req: { method: 'GET', path }, status: 404 }]),
  ['an unknown route without a key', { req: { method: 'GET', path: '/v1/nope', auth: false }, status: 401 }],
];

// --- shapes: arrays for objects, objects for strings, nesting --------------------------------------------------
const nested = (depth: number, leaf: string) => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
const shapeCases: Named[] = ([
  ['body', []], ['body', [{}]], ['body', [base()]],
  ['source', { ...base(), source: ['src'] }], ['source', { ...base(), source: {} }], ['source', { ...base(), source: null }], ['source', { ...base(), source: 1 }],
  ['table', { ...base(), table: ['t'] }], ['columns', { ...base(), columns: 'id' }], ['columns', { ...base(), columns: { 0: 'id' } }],
  ['columns[0]', { ...base(), columns: [1] }], ['columns[0]', { ...base(), columns: [['id']] }], ['filter', { ...base(), filter: {} }],
  ['filter', { ...base(), filter: 'id=1' }], ['filter[0]', { ...base(), filter: [[]] }],
  ['filter[0].column', { ...base(), filter: [{ column: ['a'], op: 'eq', value: 1 }] }],
  ['filter[0].op', { ...base(), filter: [{ column: 'id', op: ['eq'], value: 1 }] }],
  ['filter[0].value', { ...base(), filter: [{ column: 'id', op: 'eq', value: {} }] }],
  ['filter[0].value', { ...base(), filter: [{ column: 'id', op: 'eq', value: null }] }],
  ['filter[0].value', { ...base(), filter: [{ column: 'id', op: 'in', value: [{}] }] }],
  ['orderBy', { ...base(), orderBy: { column: 'id' } }], ['orderBy[0]', { ...base(), orderBy: ['id'] }],
  ['format', { ...base(), format: ['csv'] }], ['mode', { ...base(), mode: {} }], ['timeZone', { ...base(), timeZone: ['UTC'] }],
  ['query', { source: 'src', query: ['SELECT 1'] }], ['compression', { ...base(), compression: true }],
] as [string, unknown][]).map(([field, body]): Named => [`${field} of the wrong shape: ${show(body).slice(0, 60)}`, { req: post(body), status: 400, field }]);
shapeCases.push(
  ['a value nested 10,000 deep', { req: post(`{"source":"src","table":"${table}","filter":[{"column":"id","op":"eq","value":${nested(10_000, '1')}}]}`), status: 400, field: 'filter[0].value' }],
  ['a body nested 100,000 deep', { req: post(nested(100_000, '')), status: 400, field: 'body' }],
  ['an unknown key nested 100,000 deep', { req: post(`{"source":"src","table":"${table}","x":${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}}`), status: 400, field: 'body' }],
  ['filter nested 1,000 deep', { req: post(`{"source":"src","table":"${table}","filter":${nested(1000, '{}')}}`), status: 400, field: 'filter[0]' }],
);

// --- numbers ---------------------------------------------------------------------------------------------------
const numberFilter = (column: string, raw: string) => `{"source":"src","table":"${table}","mode":"inline","compression":"none","filter":[{"column":"${column}","op":"eq","value":${raw}}]}`;
const numberCases: Named[] = [
  ['1e308 for an int', { req: post(numberFilter('id', '1e308')), status: 400, field: 'table' }],
  ['-1e308 for an int', { req: post(numberFilter('id', '-1e308')), status: 400, field: 'table' }],
  ['1e309 (Infinity)', { req: post(numberFilter('id', '1e309')), status: 400, field: 'filter[0].value' }],
  ['-1e309 (-Infinity)', { req: post(numberFilter('id', '-1e309')), status: 400, field: 'filter[0].value' }],
  ['2^64 for an int', { req: post(numberFilter('id', '18446744073709551616')), status: 400, field: 'table' }],
  ['0.5 for an int', { req: post(numberFilter('id', '0.5')), status: 400, field: 'table' }],
  ['true for an int', { req: post(numberFilter('id', 'true')), status: 400, field: 'table' }],
  ['1e-400 for an int', { req: post(numberFilter('id', '1e-400')), status: 200 }],
  ['-0 for an int', { req: post(numberFilter('id', '-0')), status: 200 }],
  ['1e20 for a timestamptz', { req: post(numberFilter('at', '1e20')), status: 400, field: 'table' }],
  ['"infinity" for a timestamptz', { req: post(numberFilter('at', '"infinity"')), status: 200 }],
  ['year 300000 for a timestamptz', { req: post(numberFilter('at', '"300000-01-01"')), status: 400, field: 'table' }],
  ...['0', '201', '-1', '1e400', 'abc', '1.5', '', 'Infinity', 'NaN', '5&limit=6', '%00'].map((limit): Named => [`?limit=${limit}`, { req: { path: `/v1/jobs?limit=${limit}` }, status: 400, field: 'limit' }]),
  ['?limit=0x10', { req: { path: '/v1/jobs?limit=0x10' } }],
  ['?state=%00', { req: { path: '/v1/jobs?state=%00' }, status: 400, field: 'state' }],
  ['?state twice', { req: { path: '/v1/jobs?state=Running&state=Failed' }, status: 400, field: 'state' }],
  ['?cursor=%00', { req: { path: '/v1/jobs?cursor=%00' }, status: 400, field: 'cursor' }],
  ['?cursor=%zz', { req: { path: '/v1/jobs?cursor=%zz' }, status: 400, field: 'cursor' }],
  // Cursors crafted to decode but not to query: a NUL in the id, a year past 9999, a bare number for the time.
  ...[['2024-01-01T00:00:00.000Z', 'job_\u0000'], ['+275760-09-13T00:00:00.000Z', 'job_ab'], ['1', 'job_ab']].map(([at, id]): Named => [
    `a crafted cursor ${JSON.stringify([at, id])}`,
    { req: { path: `/v1/jobs?cursor=${Buffer.from(JSON.stringify([at, id])).toString('base64url')}` }, status: 400, field: 'cursor' },
  ]),
];

// --- Unicode oddities ------------------------------------------------------------------------------------------
const unicodeCases: Named[] = [
  ['a right-to-left override in source', { req: post({ ...base(), source: 'src\u202e' }), status: 400, field: 'source' }],
  ['a fullwidth source', { req: post({ ...base(), source: 'ｓｒｃ' }), status: 400, field: 'source' }],
  ['a BOM before the table', { req: post({ ...base(), table: `\ufeff${table}` }), status: 400, field: 'table' }],
  ['a combining dot in a column', { req: post({ ...base(), columns: ['i\u0307d'] }), status: 400, field: 'columns[0]' }],
  ['a zero-width space in a time zone', { req: post({ ...base(), timeZone: 'Europe/Paris\u200b' }), status: 400, field: 'timeZone' }],
  ['an emoji time zone', { req: post({ ...base(), timeZone: '\u{1F600}' }), status: 400, field: 'timeZone' }],
  ['an emoji value', { req: post({ ...base(), filter: [{ column: 'name', op: 'eq', value: '\u{1F600}' }] }), status: 200 }],
  ['a decomposed value', { req: post({ ...base(), filter: [{ column: 'name', op: 'eq', value: 'e\u0301' }] }), status: 200 }],
  ['an emoji alias', { req: post({ source: 'src', mode: 'inline', compression: 'none', query: `SELECT '\u{1F600}' AS "\u{1F600}\u202e"` }), status: 200 }],
  ['a paired surrogate escape', { req: post(`{"source":"src","table":"${table}","mode":"inline","filter":[{"column":"name","op":"eq","value":"\\ud83d\\ude00"}]}`), status: 200 }],
  ['a lookalike key (Cyrillic o)', { req: post(`{"s\u043eurce":"src","table":"${table}"}`), status: 400, field: 'body' }],
  ['invalid UTF-8 in a string', { req: post(Buffer.concat([Buffer.from(`{"source":"src","table":"${table}","mode":"inline","filter":[{"column":"name","op":"eq","value":"`), Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff]), Buffer.from('"}]}')])) }],
  ['invalid UTF-8 outside a string', { req: post(Buffer.concat([Buffer.from('{"source":"src",'), Buffer.from([0xff, 0xfe]), Buffer.from('}')])), status: 400, field: 'body' }],
  ['an overlong NUL (C0 80)', { req: post(Buffer.concat([Buffer.from('{"source":"src'), Buffer.from([0xc0, 0x80]), Buffer.from(`","table":"${table}"}`)])), status: 400, field: 'source' }],
  ['a UTF-16 surrogate as UTF-8 bytes in the table', { req: post(Buffer.concat([Buffer.from('{"source":"src","table":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])), status: 400, field: 'table' }],
];

// --- prototype keys ------------------------------------------------------------------------------------------
const protoCases: Named[] = [
  ['__proto__ at the top', { req: post(`{"source":"src","table":"${table}","__proto__":{"polluted":true}}`), status: 400, field: 'body' }],
  ['constructor.prototype at the top', { req: post(`{"source":"src","table":"${table}","constructor":{"prototype":{"polluted":true}}}`), status: 400, field: 'body' }],
  ['__proto__ only', { req: post('{"__proto__":{"source":"src","table":"t"}}'), status: 400, field: 'source' }],
  ['__proto__ in a filter', { req: post(`{"source":"src","table":"${table}","filter":[{"column":"id","op":"is_null","__proto__":{"polluted":true}}]}`), status: 400, field: 'filter[0]' }],
  ['__proto__ in an orderBy', { req: post(`{"source":"src","table":"${table}","orderBy":[{"column":"id","__proto__":{"direction":"desc"}}]}`), status: 400, field: 'orderBy[0]' }],
  ['hasOwnProperty as a key', { req: post(`{"source":"src","table":"${table}","hasOwnProperty":1}`), status: 400, field: 'body' }],
  ['?__proto__[polluted]=1', { req: { path: '/v1/jobs?__proto__[polluted]=1' }, status: 400, field: 'query' }],
  ['?constructor[prototype][polluted]=1', { req: { path: '/v1/jobs?constructor[prototype][polluted]=1' }, status: 400, field: 'query' }],
  ['?__proto__=x', { req: { path: '/v1/jobs?__proto__=x' }, status: 400, field: 'query' }],
];

// --- the API key ---------------------------------------------------------------------------------------------
const authCases: Named[] = [
  ['no key', { req: { path: '/v1/jobs', auth: false }, status: 401 }],
  ['Bearer alone', { req: { path: '/v1/jobs', headers: { authorization: 'Bearer' } }, status: 401 }],
  ['Bearer with two words', { req: { path: '/v1/jobs', headers: { authorization: 'Bearer a b' } }, status: 401 }],
  ['Basic', { req: { path: '/v1/jobs', headers: { authorization: 'Basic dXNlcjpwYXNz' } }, status: 401 }],
  ['a 10 kB key', { req: { path: '/v1/jobs', headers: { authorization: `Bearer ${'k'.repeat(10_000)}` } }, status: 401 }],
  ['a key with a %00', { req: { path: '/v1/jobs', headers: { authorization: 'Bearer sk_%00' } }, status: 401 }],
  ['a Latin-1 key', { bytes: Buffer.from('GET /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\nConnection: close\r\n\r\n', 'latin1'), status: 401 }],
  ['a NUL in the key', { bytes: 'GET /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\0b\r\nConnection: close\r\n\r\n', status: 400 }],
  ['a body without a key', { req: { ...post({ source: `src\u0000` }), auth: false }, status: 401 }],
];

// --- HTTP that is not HTTP -------------------------------------------------------------------------------------
const rawCases: Named[] = [
  ['garbage', { bytes: 'GARBAGE\r\n\r\n', status: 400 }],
  ['a header without a colon', { bytes: 'GET /v1/jobs HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', status: 400 }],
  ['two Content-Lengths', { bytes: 'POST /v1/extractions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', status: 400 }],
  ['Content-Length and chunked', { bytes: 'POST /v1/extractions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', status: 400 }],
  ['a bad chunk size', { bytes: `POST /v1/extractions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer KEY\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, status: 400 }],
  ['HTTP/9.9', { bytes: 'GET /v1/jobs HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n', status: 400 }],
  ['a space in the URL', { bytes: 'GET /v1/jobs/a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', status: 400 }],
  ['a raw NUL in the URL', { bytes: 'GET /v1/jobs/a\0b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', status: 400 }],
  ['raw 0xFF in the URL', { bytes: Buffer.from(`GET /v1/jobs/\xff HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\nConnection: close\r\n\r\n`, 'latin1') }],
  ['a lowercase method', { bytes: 'get /v1/jobs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', status: 400 }],
  ['a header value with a raw CR', { bytes: 'GET /v1/jobs HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\nConnection: close\r\n\r\n', status: 400 }],
  ['a 60,000-character request line', { bytes: `GET /v1/jobs/${'a'.repeat(60_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, status: 431 }],
];

// --- Queries past PostgreSQL's own limits: the request's fault, never "source unavailable" --------------------
const limitCases: Named[] = [
  ['a query of 1,700 columns', { req: post({ source: 'src', mode: 'inline', query: `SELECT ${Array.from({ length: 1700 }, (_, i) => `1 AS c${i}`).join(', ')}` }), status: 400, field: 'query' }],
];

const CORPUS: Record<string, Named[]> = {
  'queries past the limits of PostgreSQL': limitCases,
  'job ids in the path': idCases,
  'well-formed ids of no job': unknownJobCases,
  'NULs and unpaired surrogates in the body': badStringCases,
  'content types, charsets and codings': contentCases,
  'malformed JSON': jsonCases,
  'sizes': sizeCases,
  'URLs and headers over the limit': urlCases,
  'methods and routes': routeCases,
  'shapes and nesting': shapeCases,
  'numbers': numberCases,
  'Unicode oddities': unicodeCases,
  'prototype keys': protoCases,
  'the API key': authCases,
  'broken HTTP': rawCases,
};

describe.each(Object.entries(CORPUS))('%s', (_group, cases) => {
  test.each(cases)('%s', async (_name, c) => {
    await check(c);
  });
});

test('the corpus is a few hundred requests, none answered 5xx, and nothing was polluted', () => {
  const total = Object.values(CORPUS).reduce((n, cases) => n + cases.length, 0);
  expect(total).toBeGreaterThanOrEqual(300);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(total);
  expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  console.log(`hostile corpus: ${total} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
});

test('a problem for a bad id says what ids look like; a NUL names its field with a hint', async () => {
  const byId = JSON.parse((await check({ req: { path: '/v1/jobs/%zz/files' }, status: 404 })).body.toString());
  expect(byId.errors).toEqual([{ field: 'id', message: expect.any(String), hint: expect.stringContaining('20 hex digits') }]);
  const nul = JSON.parse((await check({ req: post({ ...base(), timeZone: 'UTC\u0000' }), status: 400 })).body.toString());
  expect(nul.errors).toEqual([{ field: 'timeZone', message: expect.stringContaining('NUL'), hint: expect.any(String) }]);
  const big = await check({ req: { path: `/v1/jobs/${'a'.repeat(60_000)}` }, status: 431 });
  expect(JSON.parse(big.body.toString())).toMatchObject({ status: 431, title: 'Request Header Fields Too Large', detail: expect.stringContaining('URL') });
  const charset = JSON.parse((await check({ req: post(JSON_BODY, { 'content-type': 'application/json; charset=latin1' }), status: 415 })).body.toString());
  expect(charset.errors[0]).toMatchObject({ field: 'body', message: expect.stringContaining('latin1'), hint: expect.stringContaining('UTF-8') });
});
