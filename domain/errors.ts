// The error codes a job can fail with: message, whether a retry can help, and what a person can do about it.
export interface JobError {
  code: string;
  message: string;
  sqlstate: string | null;
  retryable: boolean;
  suggestion: string;
}

interface ErrorKind {
  code: string;
  retryable: boolean;
  suggestion: string;
}

const BY_SQLSTATE: Record<string, ErrorKind> = {
  '42601': { code: 'syntax_error', retryable: false, suggestion: 'Fix the SQL syntax of the query; it must be a single SELECT.' },
  '42703': { code: 'undefined_column', retryable: false, suggestion: 'Check the column names against the table.' },
  '42P01': { code: 'undefined_table', retryable: false, suggestion: 'Check the schema and table name; use "schema.table" outside public.' },
  '42883': { code: 'undefined_function', retryable: false, suggestion: 'Check the function name and argument types in the query.' },
  '42501': { code: 'permission_denied', retryable: false, suggestion: 'Grant SELECT on the table (and USAGE on its schema) to the source user.' },
  '42804': { code: 'datatype_mismatch', retryable: false, suggestion: 'Check that each filter value matches its column type.' },
  '22P02': { code: 'invalid_value', retryable: false, suggestion: 'A filter value cannot be read as its column type; check the value.' },
  '22007': { code: 'invalid_value', retryable: false, suggestion: 'A date or time value is malformed; use ISO 8601.' },
  '22008': { code: 'invalid_value', retryable: false, suggestion: 'A date or time value is out of range.' },
  '22012': { code: 'division_by_zero', retryable: false, suggestion: 'The query divides by zero for some row; guard it with NULLIF.' },
  '25006': { code: 'read_only_violation', retryable: false, suggestion: 'Extractions run read-only: the query must only read.' },
  '25001': { code: 'read_only_violation', retryable: false, suggestion: 'Extractions run read-only: the query must only read.' },
  '57014': { code: 'statement_timeout', retryable: false, suggestion: 'The query ran past the statement timeout (SLUICE_STATEMENT_TIMEOUT_MS): add a filter, extract fewer columns, or raise the timeout.' },
  // Waiting longer than lock_timeout: another session holds a lock the read needs (a migration, VACUUM FULL,
  // LOCK TABLE). Not retried: retries would queue behind the same lock again, for the same time each.
  '55P03': {
    code: 'lock_timeout', retryable: false,
    suggestion: 'Another session held a lock on the table for longer than SLUICE_LOCK_TIMEOUT_MS (a migration, VACUUM FULL, LOCK TABLE, a long transaction that altered it): restart the job once it is released, or raise SLUICE_LOCK_TIMEOUT_MS.',
  },
  '53300': { code: 'too_many_connections', retryable: true, suggestion: 'The source has no free connections; the job retries. Lower the worker parallelism if it persists.' },
  '57P01': { code: 'source_shutdown', retryable: true, suggestion: 'The source server shut down; the job retries when it is back.' },
  '40001': { code: 'serialization_failure', retryable: true, suggestion: 'A concurrent change conflicted; the job retries.' },
  '40P01': { code: 'deadlock', retryable: true, suggestion: 'A deadlock was detected; the job retries.' },
};

const BY_SQLSTATE_CLASS: Record<string, ErrorKind> = {
  '08': { code: 'source_connection_lost', retryable: true, suggestion: 'The connection to the source was lost; the job retries. Check the source is reachable.' },
  '53': { code: 'source_out_of_resources', retryable: true, suggestion: 'The source is out of resources (disk, memory); the job retries.' },
  '42': { code: 'invalid_query', retryable: false, suggestion: 'The query is not valid for this source; fix it and start a new job.' },
  '22': { code: 'invalid_value', retryable: false, suggestion: 'A value in the query or filter is invalid for its type.' },
  '0A': { code: 'feature_not_supported', retryable: false, suggestion: 'The query uses something PostgreSQL does not support there (such as a data-modifying WITH); it must be a single plain SELECT.' },
  '28': { code: 'source_auth_failed', retryable: false, suggestion: 'The source rejected the credentials; update the source registration.' },
  '54': { code: 'query_too_complex', retryable: false, suggestion: 'The query passes one of PostgreSQL\'s limits (too many columns, too deep an expression, a value too long); simplify it.' },
  '3D': { code: 'source_database_missing', retryable: false, suggestion: 'The source database does not exist; update the source registration.' },
};

// Sluice's own codes, for what is neither PostgreSQL's nor the network's fault.
const BY_CODE: Record<string, ErrorKind> = {
  plan_missing: {
    code: 'plan_missing', retryable: false,
    suggestion: "The run's saved plan is gone (the job was deleted meanwhile?): restart the job.",
  },
  unrepresentable_value: {
    code: 'unrepresentable_value', retryable: false,
    suggestion: "The output format has no room for this value in its column's type: map it in a query (for example NULLIF(col, 'infinity') or col::text), or extract as CSV or NDJSON.",
  },
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

const UNKNOWN: ErrorKind = { code: 'internal_error', retryable: true, suggestion: 'An unexpected error; the job retries. If it persists, report it with the job id.' };

export interface ErrorLike {
  message?: string;
  code?: unknown;
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

// Turns a driver, network or storage error into a JobError.
export function classifyError(err: ErrorLike, hint?: string): JobError {
  const message = err.message ?? String(err);
  const code = typeof err.code === 'string' ? err.code : undefined;
  // Network codes first: EPIPE has the shape of a SQLSTATE.
  if (code && NETWORK_CODES.has(code)) {
    return { code: 'network_error', message, sqlstate: null, retryable: true, suggestion: 'A network connection failed; the job retries. Check the host is reachable.' };
  }
  if (code && Object.hasOwn(BY_CODE, code)) {
    const kind = BY_CODE[code];
    return { code: kind.code, message, sqlstate: null, retryable: kind.retryable, suggestion: kind.suggestion };
  }
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    const kind = BY_SQLSTATE[code] ?? BY_SQLSTATE_CLASS[code.slice(0, 2)] ?? { ...UNKNOWN, code: 'source_error' };
    return { code: kind.code, message, sqlstate: code, retryable: kind.retryable, suggestion: hint ? `${kind.suggestion} ${hint}` : kind.suggestion };
  }
  const status = err.$metadata?.httpStatusCode;
  // 501: the store lacks what was asked, which no retry brings; in practice server-side encryption (MinIO without a KMS).
  if (status === 501) {
    const suggestion = 'Object storage does not support a request Sluice made, likely the server-side encryption SLUICE_S3_SSE asks for: '
      + 'configure a KMS on the store (MinIO: MINIO_KMS_SECRET_KEY) or set SLUICE_S3_SSE=none.';
    return { code: 'storage_refused', message, sqlstate: null, retryable: false, suggestion };
  }
  if (status !== undefined) {
    const retryable = status >= 500 || status === 429;
    const suggestion = retryable ? 'Object storage answered with a server error; the job retries.' : 'Object storage refused the request; check the bucket and credentials.';
    return { code: retryable ? 'storage_unavailable' : 'storage_refused', message, sqlstate: null, retryable, suggestion };
  }
  return { ...UNKNOWN, message, sqlstate: null };
}

// A restart whose new run could not be started (Temporal unreachable).
export const startFailedError = (message: string): JobError => ({
  code: 'start_failed',
  message: `the job's new run could not be started: ${message}`,
  sqlstate: null,
  retryable: true,
  suggestion: 'Restart the job again once the scheduler is reachable.',
});

// A job whose workflow was ended outside Sluice (terminated in the Web UI or CLI, or timed out).
export const workflowEndedError = (status: string): JobError => ({
  code: 'workflow_ended',
  message: `the job's workflow ended without finishing the job (${status})`,
  sqlstate: null,
  retryable: false,
  suggestion: 'Restart the job to run it again; end jobs with cancel rather than by terminating their workflow.',
});
