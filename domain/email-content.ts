// The mail an event makes: a subject and a plain-text body per event type, written for a person reading it.
// Pure: a completed job's files (with their links, made by the caller just before) come in with the event.
import type { JobError } from './errors';
import { bytes as prettyBytes } from './sync-warnings';

export interface EmailFiles {
  format: string;
  compression: string;
  linksExpireAt: string;
  filesExpireAt: string | null;
  manifest: { url: string };
  parts: { index: number; fileName: string; rows: number; bytes: number; sha256: string; url: string }[];
}

export interface EmailEventInput {
  type: string;
  /** When it happened (deliveries may arrive out of order). */
  createdAt: Date;
  payload: Record<string, unknown>;
  /** A completed job's files, null when they are gone or not asked for. */
  files?: EmailFiles | null;
  /** Named in the footer, so a reader can find the delivery and stop the mails. */
  deliveryId: string;
  recipientId: string;
}

export interface EmailContent {
  subject: string;
  text: string;
}

const ALERT_RULES: Record<string, { name: string; unit: 's' | 'bytes' | null }> = {
  idle_time_high: { name: 'Idle Time above its threshold', unit: 's' },
  emit_event_time_high: { name: 'Emit Event Time above its threshold', unit: 's' },
  wal_over_budget: { name: 'retained WAL over the budget', unit: 'bytes' },
  slot_lost: { name: 'replication slot lost', unit: null },
  sync_failed: { name: 'sync failed', unit: null },
};

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const count = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : '?');
const sized = (n: number) => `${n} bytes${n >= 1024 ? ` (${prettyBytes(n)})` : ''}`;
const measure = (v: unknown, unit: 's' | 'bytes' | null) => (typeof v !== 'number' ? 'not measured' : unit === 'bytes' ? sized(v) : `${v} s`);

export function emailContent(e: EmailEventInput): EmailContent {
  const body = BODIES[e.type]?.(e) ?? { subject: e.type, lines: [JSON.stringify(e.payload, null, 2)] };
  const footer = ['', '--', `Sluice, ${e.type} at ${e.createdAt.toISOString()}; delivery ${e.deliveryId}.`,
    `To stop these mails: DELETE /v1/email-recipients/${e.recipientId}`];
  return { subject: `[Sluice] ${body.subject}`, text: [...body.lines, ...footer].join('\n') + '\n' };
}

type Body = (e: EmailEventInput) => { subject: string; lines: string[] };

const jobLines = (p: Record<string, unknown>) => [
  `Job:      ${str(p.jobId)} (run ${str(p.run)})`,
  `Rows:     ${count(p.rows)}`,
  `Bytes:    ${typeof p.bytes === 'number' ? sized(p.bytes) : '?'}`,
  `Started:  ${str(p.startedAt) || '-'}`,
  `Finished: ${str(p.finishedAt) || '-'}`,
];

const errorLines = (err: unknown): string[] => {
  const e = err as Partial<JobError> | null;
  return e?.message ? ['', `Error:    ${e.code ? `${e.code}: ` : ''}${e.message}`, ...(e.suggestion ? [`What to do: ${e.suggestion}`] : [])] : [];
};

function fileLines(jobId: string, files: EmailFiles | null | undefined): string[] {
  if (!files) return ['', `The files are no longer available, or their links could not be made: GET /v1/jobs/${jobId}/files says which.`];
  const kept = files.filesExpireAt ? `; the files are kept until ${files.filesExpireAt}` : '';
  return [
    '', `Files: ${files.parts.length} part(s), ${files.format}${files.compression === 'none' ? '' : ` with ${files.compression}`}.`,
    `The links below work until ${files.linksExpireAt}${kept}; GET /v1/jobs/${jobId}/files makes fresh ones.`,
    '', 'manifest.json', `  ${files.manifest.url}`,
    ...files.parts.flatMap((p) => [`${p.fileName}: ${count(p.rows)} rows, ${sized(p.bytes)}, sha256 ${p.sha256}`, `  ${p.url}`]),
  ];
}

const BODIES: Record<string, Body> = {
  'job.completed': (e) => ({
    subject: `Job ${str(e.payload.jobId)} completed: ${count(e.payload.rows)} rows`,
    lines: [`The extraction job ${str(e.payload.jobId)} completed.`, '', ...jobLines(e.payload), ...fileLines(str(e.payload.jobId), e.files)],
  }),
  'job.failed': (e) => ({
    subject: `Job ${str(e.payload.jobId)} failed${(e.payload.error as JobError | null)?.code ? `: ${(e.payload.error as JobError).code}` : ''}`,
    lines: [`The extraction job ${str(e.payload.jobId)} failed.`, '', ...jobLines(e.payload), ...errorLines(e.payload.error),
      '', `Restart it with POST /v1/jobs/${str(e.payload.jobId)}/restart once the cause is mended.`],
  }),
  'job.cancelled': (e) => ({
    subject: `Job ${str(e.payload.jobId)} cancelled`,
    lines: [`The extraction job ${str(e.payload.jobId)} was cancelled; its partial files are removed.`, '', ...jobLines(e.payload)],
  }),
  'sync.state_changed': (e) => ({
    subject: `Sync ${str(e.payload.syncId)}: ${str(e.payload.from)} -> ${str(e.payload.to)}`,
    lines: [`The sync ${str(e.payload.syncId)} went from ${str(e.payload.from)} to ${str(e.payload.to)}.`, '',
      `Sync:     ${str(e.payload.syncId)} (instance ${str(e.payload.run)})`, `Phase:    ${str(e.payload.phase)}`, ...errorLines(e.payload.error)],
  }),
  'sync.alert': (e) => alertBody(e, 'opened'),
  'sync.alert_resolved': (e) => alertBody(e, 'resolved'),
};

function alertBody(e: EmailEventInput, what: 'opened' | 'resolved') {
  const p = e.payload;
  const rule = ALERT_RULES[str(p.kind)] ?? { name: str(p.kind), unit: null };
  const lines = [
    what === 'opened' ? `An alert opened on the sync ${str(p.syncId)}: ${rule.name}.` : `The alert on the sync ${str(p.syncId)} is resolved: ${rule.name} no more.`,
    '',
    `Sync:      ${str(p.syncId)} (instance ${str(p.run)})`,
    `Rule:      ${str(p.kind)} (${rule.name})`,
    ...(rule.unit ? [`Value:     ${measure(p.value, rule.unit)}${what === 'resolved' ? ' (when it opened)' : ''}`, `Threshold: ${measure(p.threshold, rule.unit)}`] : []),
    `Message:   ${str(p.message)}`,
    `Opened:    ${str(p.openedAt)}`,
    ...(what === 'resolved' ? [`Resolved:  ${str(p.resolvedAt)}`] : []),
    '', `GET /v1/syncs/${str(p.syncId)} shows its metrics; GET /v1/alerts lists the open alerts.`,
  ];
  return { subject: `${what === 'opened' ? 'Alert' : 'Resolved'} on sync ${str(p.syncId)}: ${str(p.kind)}`, lines };
}
