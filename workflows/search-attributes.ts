// Typed search attribute keys (registered on the dev server by dev/services.ts, in compose by its setup job).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TENANT_ATTRIBUTE = defineSearchAttributeKey('SluiceTenant', SearchAttributeType.KEYWORD);
export const JOB_KIND_ATTRIBUTE = defineSearchAttributeKey('SluiceJobKind', SearchAttributeType.KEYWORD);
export const JOB_STATE_ATTRIBUTE = defineSearchAttributeKey('SluiceJobState', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [TENANT_ATTRIBUTE, JOB_KIND_ATTRIBUTE, JOB_STATE_ATTRIBUTE];

/** What every job's workflow starts with (from the API or a scheduled run): operators filter on these. */
export const jobSearchAttributes = (tenantId: string, kind: string, state: string) => [
  { key: TENANT_ATTRIBUTE, value: tenantId },
  { key: JOB_KIND_ATTRIBUTE, value: kind },
  { key: JOB_STATE_ATTRIBUTE, value: state },
];

/** Set by Temporal on a workflow a schedule starts: the time the run was due (without jitter). */
export const SCHEDULED_START_ATTRIBUTE = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);
