import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { classifyError, type ErrorLike } from '../../domain/errors';

// Activities fail with the job's error code as type and a JobError as details; errors retries cannot fix
// (syntax, unknown column, permission) are non-retryable so the job fails at once.
export function toActivityFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  const e = err as ErrorLike & { hint?: string };
  const info = classifyError(e, e.hint);
  return ApplicationFailure.create({ type: info.code, message: info.message, nonRetryable: !info.retryable, details: [info] });
}
