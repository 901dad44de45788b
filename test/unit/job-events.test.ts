// A status change makes an event only when an extraction run ends, once per run and state.
import { extractionSnapshotSchema } from '../../domain/extraction-job';
import { extractionEventOf } from '../../domain/job-events';

const snapshot = (state: string, run = 1) => extractionSnapshotSchema.parse({ jobId: 'job_1', state, run });

test.each([
  ['Queued', null],
  ['Running', null],
  ['Paused', null],
  ['Completed', 'job.completed'],
  ['Failed', 'job.failed'],
  ['Cancelled', 'job.cancelled'],
])('%s → %s', (state, type) => {
  expect(extractionEventOf(snapshot(state))?.type ?? null).toBe(type);
});

test('the dedupe key names the job, the run and the state: a restarted job that completes again is a new event', () => {
  expect(extractionEventOf(snapshot('Completed', 1))?.dedupeKey).toBe('job_1/1/Completed');
  expect(extractionEventOf(snapshot('Completed', 2))?.dedupeKey).toBe('job_1/2/Completed');
  expect(extractionEventOf(snapshot('Failed', 2))).toMatchObject({ subject: 'job_1', payload: { jobId: 'job_1', run: 2, state: 'Failed', rows: 0, bytes: 0 } });
});
