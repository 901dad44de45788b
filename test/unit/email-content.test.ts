import { emailContent, type EmailEventInput, type EmailFiles } from '../../domain/email-content';

const at = new Date('2026-11-28T09:00:00.000Z');
const mail = (type: string, payload: Record<string, unknown>, files?: EmailFiles | null) =>
  emailContent({ type, createdAt: at, payload, files, deliveryId: 'eml_1', recipientId: 'rcp_1' } satisfies EmailEventInput);

const files: EmailFiles = {
  format: 'csv', compression: 'gzip', linksExpireAt: '2026-11-28T21:00:00.000Z', filesExpireAt: '2026-11-28T21:00:00.000Z',
  manifest: { url: 'https://s3.example/manifest?sig=1' },
  parts: [
    { index: 0, fileName: 'part-00000.csv.gz', rows: 100000, bytes: 2048, sha256: 'aa', url: 'https://s3.example/p0?sig=1' },
    { index: 1, fileName: 'part-00001.csv.gz', rows: 5, bytes: 10, sha256: 'bb', url: 'https://s3.example/p1?sig=1' },
  ],
};

test('a completed job: its id, rows, bytes, and the manifest and every part with its link', () => {
  const m = mail('job.completed', { jobId: 'job_1', run: 2, rows: 100005, bytes: 2058, startedAt: 'x', finishedAt: 'y' }, files);
  expect(m.subject).toBe('[Sluice] Job job_1 completed: 100,005 rows');
  expect(m.text).toContain('Job:      job_1 (run 2)');
  expect(m.text).toContain('Rows:     100,005');
  expect(m.text).toContain('Bytes:    2058 bytes (2.0 kB)');
  for (const url of [files.manifest.url, ...files.parts.map((p) => p.url)]) expect(m.text).toContain(`  ${url}\n`);
  expect(m.text).toContain('part-00001.csv.gz: 5 rows, 10 bytes, sha256 bb');
  expect(m.text).toContain('work until 2026-11-28T21:00:00.000Z');
  expect(m.text).toContain('DELETE /v1/email-recipients/rcp_1');
});

test('a completed job whose files are gone says where to look instead of giving links', () => {
  const m = mail('job.completed', { jobId: 'job_1', run: 1, rows: 3, bytes: 9 }, null);
  expect(m.text).toContain('no longer available');
  expect(m.text).toContain('GET /v1/jobs/job_1/files');
  expect(m.text).not.toContain('https://');
});

test('a failed job: the error code in the subject, its message and what to do in the body', () => {
  const error = { code: 'undefined_column', message: 'column "nope" does not exist', sqlstate: '42703', retryable: false, suggestion: 'Check the column names.' };
  const m = mail('job.failed', { jobId: 'job_2', run: 1, rows: 0, bytes: 0, error });
  expect(m.subject).toBe('[Sluice] Job job_2 failed: undefined_column');
  expect(m.text).toContain('Error:    undefined_column: column "nope" does not exist');
  expect(m.text).toContain('What to do: Check the column names.');
});

test('an alert names the sync, the rule, the value and the threshold; its resolution too', () => {
  const alert = { alertId: 'alr_1', syncId: 'sync_1', run: 3, kind: 'idle_time_high', message: 'Idle Time has been above 300 s for 130 s', value: 431.2, threshold: 300, openedAt: 'o', resolvedAt: null };
  const opened = mail('sync.alert', alert);
  expect(opened.subject).toBe('[Sluice] Alert on sync sync_1: idle_time_high');
  expect(opened.text).toContain('Sync:      sync_1 (instance 3)');
  expect(opened.text).toContain('Rule:      idle_time_high (Idle Time above its threshold)');
  expect(opened.text).toContain('Value:     431.2 s');
  expect(opened.text).toContain('Threshold: 300 s');
  const resolved = mail('sync.alert_resolved', { ...alert, resolvedAt: 'r' });
  expect(resolved.subject).toBe('[Sluice] Resolved on sync sync_1: idle_time_high');
  expect(resolved.text).toContain('Resolved:  r');

  const wal = mail('sync.alert', { ...alert, kind: 'wal_over_budget', value: 3 * 1024 ** 3, threshold: 1024 ** 3 });
  expect(wal.text).toContain('Value:     3221225472 bytes (3.0 GB)');
  expect(wal.text).toContain('Threshold: 1073741824 bytes (1.0 GB)');
  expect(mail('sync.alert', { ...alert, kind: 'slot_lost', value: null, threshold: null }).text).not.toContain('Threshold');
});

test('a sync state change says from and to; an unknown type still makes a mail', () => {
  const m = mail('sync.state_changed', { syncId: 'sync_1', run: 1, from: 'Running', to: 'Failed', phase: 'streaming', error: { code: 'x', message: 'boom' } });
  expect(m.subject).toBe('[Sluice] Sync sync_1: Running -> Failed');
  expect(m.text).toContain('Error:    x: boom');
  expect(mail('job.something', { a: 1 }).subject).toBe('[Sluice] job.something');
});
