// The API's only way to change a sync: start its workflow when it is made, or send it an action as an update
// (update-with-start: a sync whose execution has ended gets a new one under the same id, carrying its last
// snapshot, and the update goes to it). The workflow decides; the API explains.
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { qualified, type SyncRequest } from '../domain/sync-request';
import type { SyncRunOptions, SyncSnapshot } from '../domain/sync-job';
import type { SyncRecord } from '../store/syncs';
import { syncActionUpdates, syncJob, type SyncAction } from '../workflows/sync-job';
import { jobStartOptions, sendAction, callTemporal } from './workflow-calls';

export interface SyncControl {
  temporal: Client;
  taskQueue: string;
  options: SyncRunOptions;
}

export const syncWorkflowIdFor = (tenantId: string, syncId: string) => `sluice/${tenantId}/sync/${syncId}`;

/** "public.orders", "public.orders, public.items and 3 more", "schema sales". */
export function tablesSummary(r: Pick<SyncRequest, 'tables' | 'schema'>): string {
  if (!r.tables) return `schema ${r.schema}`;
  const names = r.tables.map(qualified);
  if (names.length <= 3) return names.join(', ');
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}

function startOptions(c: SyncControl, sync: SyncRecord) {
  const { request } = sync;
  const summary = `Sync ${sync.id}: ${tablesSummary(request)} from ${request.source} to ${request.target} (${request.mode})`;
  return jobStartOptions({ taskQueue: c.taskQueue, workflowId: sync.workflowId, tenantId: sync.tenantId, kind: 'sync', state: sync.snapshot.state, summary });
}

const input = (c: SyncControl, sync: SyncRecord) => ({ jobId: sync.id, tenantId: sync.tenantId, request: sync.request, options: c.options });

/** Starts a new sync's workflow (it waits in Created for its start); a 503 problem when Temporal cannot be reached in time. */
export async function startSync(c: SyncControl, sync: SyncRecord): Promise<void> {
  await callTemporal(c.temporal, 'the sync could not be created', () =>
    c.temporal.workflow.start(syncJob, { ...startOptions(c, sync), args: [input(c, sync)] }));
}

/**
 * Sends an action; resolves to the sync's state once it comes to rest, or null when the action was accepted but
 * has not taken effect within the bound (the caller answers 202). A refusal is a 409 problem naming the allowed actions.
 */
export async function actOnSync(c: SyncControl, sync: SyncRecord, action: SyncAction): Promise<SyncSnapshot | null> {
  const reopen = new WithStartWorkflowOperation(syncJob, {
    ...startOptions(c, sync),
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ ...input(c, sync), carry: { snapshot: sync.snapshot } }],
  });
  return sendAction({ temporal: c.temporal, kind: 'sync', subject: `sync ${sync.id}`, action, update: syncActionUpdates[action], reopen });
}
