import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { classifyError, type ErrorLike } from '../../domain/errors';

// Activities fail with the job's error code as type and a JobError as details; errors retries cannot fix
// (syntax, unknown column, permission) are non-retryable so the job fails at once. Whatever breaks because
// the activity was cancelled (aborted uploads, destroyed connections) is reported as the cancellation.
export function toActivityFailure(err: unknown): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  const signal = Context.current().cancellationSignal;
  if (signal.aborted) return signal.reason instanceof CancelledFailure ? signal.reason : new CancelledFailure('activity cancelled');
  const e = err as ErrorLike & { hint?: string };
  const info = classifyError(e, e.hint);
  const attempt = Context.current().info.attempt;
  return ApplicationFailure.create({ type: info.code, message: info.message, nonRetryable: !info.retryable, details: [info, { attempt }] });
}
