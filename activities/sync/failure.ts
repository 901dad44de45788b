import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { SyncSetupError } from '../../connectors/postgres/sync/source-setup';
import { toActivityFailure } from '../extract/failure';

// Sync failures a person must fix carry their own error (what to change); the rest are classified like any
// driver, network or storage error.
export function toSyncFailure(err: unknown): Error {
  if (err instanceof SyncSetupError) {
    return ApplicationFailure.create({ type: err.jobError.code, message: err.message, nonRetryable: true, details: [err.jobError, { attempt: Context.current().info.attempt }] });
  }
  return toActivityFailure(err);
}
