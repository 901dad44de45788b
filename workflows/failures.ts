// Reading what an activity failure carries (activities/extract/failure.ts puts it there).
import { ApplicationFailure } from '@temporalio/workflow';
import type { JobError } from '../domain/errors';

function* causes(err: unknown): Generator<Error> {
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) yield cause;
}

export function jobErrorOf(err: unknown): JobError {
  for (const cause of causes(err)) {
    if (cause instanceof ApplicationFailure && cause.details?.length) return cause.details[0] as JobError;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal_error', message, sqlstate: null, retryable: true, suggestion: 'Restart the job; if it fails again, report it with the job id.' };
}

// The attempt number an activity put beside its JobError.
export function failedAttemptOf(err: unknown): number {
  for (const cause of causes(err)) {
    const attempt = cause instanceof ApplicationFailure ? (cause.details?.[1] as { attempt?: number } | undefined)?.attempt : undefined;
    if (attempt) return attempt;
  }
  return 0;
}
