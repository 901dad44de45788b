// How driver, network and storage errors become a job's error: code, whether the job retries, and advice.
import { classifyError, type ErrorLike } from '../../domain/errors';

// A pg DatabaseError carries the SQLSTATE in `code`.
const pgError = (code: string, message = `error ${code}`): ErrorLike => Object.assign(new Error(message), { code });

describe('PostgreSQL errors (SQLSTATE)', () => {
  test.each([
    // sqlstate, code, retryable, suggestion mentions
    ['42703', 'undefined_column', false, 'column names'],
    ['42P01', 'undefined_table', false, 'schema and table name'],
    ['42501', 'permission_denied', false, 'Grant SELECT'],
    ['42601', 'syntax_error', false, 'SQL syntax'],
    ['57014', 'statement_timeout', false, 'statement timeout'],
    ['53300', 'too_many_connections', true, 'no free connections'],
    ['57P01', 'source_shutdown', true, 'shut down'],
    ['40001', 'serialization_failure', true, 'retries'],
    ['40P01', 'deadlock', true, 'retries'],
    ['22P02', 'invalid_value', false, 'filter value'],
    // whole classes
    ['08006', 'source_connection_lost', true, 'connection to the source was lost'],
    ['08001', 'source_connection_lost', true, 'connection to the source was lost'],
    ['53100', 'source_out_of_resources', true, 'out of resources'],
    ['42P10', 'invalid_query', false, 'not valid'],
    ['22003', 'invalid_value', false, 'invalid'],
    ['28P01', 'source_auth_failed', false, 'credentials'],
    ['3D000', 'source_database_missing', false, 'does not exist'],
    // a class with no entry
    ['XX000', 'source_error', true, 'unexpected'],
  ])('%s → %s (retryable: %s)', (sqlstate, code, retryable, advice) => {
    const err = classifyError(pgError(sqlstate, 'something went wrong'));
    expect(err).toEqual({ code, message: 'something went wrong', sqlstate, retryable, suggestion: expect.stringContaining(advice) });
  });
});

describe('network errors', () => {
  test.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])('%s is a retryable network_error', (code) => {
    const err = classifyError(Object.assign(new Error(`connect ${code} 10.0.0.1:5432`), { code }));
    expect(err).toEqual({
      code: 'network_error',
      message: `connect ${code} 10.0.0.1:5432`,
      sqlstate: null,
      retryable: true,
      suggestion: expect.stringContaining('network'),
    });
  });
});

describe('object storage errors', () => {
  test.each([
    // httpStatusCode, name, code, retryable
    [503, 'SlowDown', 'storage_unavailable', true],
    [500, 'InternalError', 'storage_unavailable', true],
    [429, 'TooManyRequests', 'storage_unavailable', true],
    [403, 'AccessDenied', 'storage_refused', false],
    [404, 'NoSuchBucket', 'storage_refused', false],
  ])('HTTP %d (%s) → %s', (httpStatusCode, name, code, retryable) => {
    const err = classifyError({ name, message: `${name}: from S3`, $metadata: { httpStatusCode } });
    expect(err).toMatchObject({ code, message: `${name}: from S3`, sqlstate: null, retryable });
    expect(err.suggestion).toMatch(/storage/i);
  });

  test('HTTP 501 (MinIO asked for server-side encryption without a KMS) fails at once, naming SLUICE_S3_SSE', () => {
    const message = 'Server side encryption specified but KMS is not configured';
    const err = classifyError({ name: 'NotImplemented', message, $metadata: { httpStatusCode: 501 } });
    expect(err).toMatchObject({ code: 'storage_refused', message, retryable: false });
    expect(err.suggestion).toMatch(/MINIO_KMS_SECRET_KEY.*SLUICE_S3_SSE=none/);
  });
});

describe("Sluice's own codes", () => {
  test('a value the output format cannot hold fails the job at once, with ways around it', () => {
    const err = classifyError(Object.assign(new Error(`column "at" holds 'infinity'`), { code: 'unrepresentable_value' }));
    expect(err).toEqual({
      code: 'unrepresentable_value', message: `column "at" holds 'infinity'`, sqlstate: null, retryable: false,
      suggestion: expect.stringContaining('map it in a query'),
    });
  });

  test('an inherited property name is no code of ours', () => {
    expect(classifyError(Object.assign(new Error('boom'), { code: 'toString' })).code).toBe('internal_error');
  });
});

describe('anything else', () => {
  test.each<[string, ErrorLike]>([
    ['a plain Error', new Error('boom')],
    ['a non-string code', Object.assign(new Error('boom'), { code: 42 })],
    ['an unknown string code', Object.assign(new Error('boom'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })],
    ['a lower-case 5-letter code', Object.assign(new Error('boom'), { code: 'abcde' })],
  ])('%s is a retryable internal_error', (_name, e) => {
    expect(classifyError(e)).toEqual({ code: 'internal_error', message: 'boom', sqlstate: null, retryable: true, suggestion: expect.stringContaining('unexpected') });
  });
});

describe('hints', () => {
  it('are appended to the suggestion of a SQLSTATE', () => {
    const plain = classifyError(pgError('42703'));
    const hinted = classifyError(pgError('42703'), 'Column "totl" does not exist; did you mean "total"?');
    expect(hinted.suggestion).toBe(`${plain.suggestion} Column "totl" does not exist; did you mean "total"?`);
    expect({ ...hinted, suggestion: undefined }).toEqual({ ...plain, suggestion: undefined });
  });

  it('leave the suggestion alone when empty', () => {
    expect(classifyError(pgError('42703'), '').suggestion).toBe(classifyError(pgError('42703')).suggestion);
  });
});
