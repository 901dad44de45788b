// Which queued jobs may start: first come, first served, within a global limit of running jobs and a limit
// per tenant. A job whose tenant is at its limit does not hold up the jobs of other tenants behind it.
export interface QueueLimits {
  /** Jobs running at once, all tenants together. */
  global: number;
  /** Jobs running at once for one tenant, unless the tenant has a limit of its own. */
  perTenant: number;
}

export interface QueueEntry {
  jobId: string;
  tenantId: string;
  /** Whether the job holds a slot (is running, or about to). */
  granted: boolean;
  /** The tenant's own limit of running jobs, if it has one. */
  tenantLimit?: number | null;
}

/** The waiting jobs to grant a slot now, given every entry in queue order. */
export function jobsToAdmit(entries: readonly QueueEntry[], limits: QueueLimits): string[] {
  const runningByTenant: Record<string, number> = {};
  let running = 0;
  for (const e of entries) {
    if (!e.granted) continue;
    running++;
    runningByTenant[e.tenantId] = (runningByTenant[e.tenantId] ?? 0) + 1;
  }
  const admit: string[] = [];
  for (const e of entries) {
    if (running >= limits.global) break;
    if (e.granted || (runningByTenant[e.tenantId] ?? 0) >= (e.tenantLimit ?? limits.perTenant)) continue;
    admit.push(e.jobId);
    running++;
    runningByTenant[e.tenantId] = (runningByTenant[e.tenantId] ?? 0) + 1;
  }
  return admit;
}

export type QueueWait = 'global_limit' | 'tenant_limit';

/** Why a waiting job waits: its tenant's limit, or (otherwise) the global limit and the jobs ahead of it. */
export function waitReason(tenantRunning: number, limits: QueueLimits, tenantLimit?: number | null): QueueWait {
  return tenantRunning >= (tenantLimit ?? limits.perTenant) ? 'tenant_limit' : 'global_limit';
}

/** The signal that tells a queued job's workflow it was granted a slot. */
export const SLOT_GRANTED_SIGNAL = 'slotGranted';
