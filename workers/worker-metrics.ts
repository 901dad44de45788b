// The worker's Prometheus figures, served on its own port: how long job runs took, the rows and bytes this
// process moved (extraction runs as they end, sync instances as their samples come in), webhook attempts.
import express from 'express';
import type { Server } from 'node:http';
import { Counter, Histogram, type Registry } from 'prom-client';
import { metricsEndpoint, processRegistry } from '../api/metrics-endpoint';
import type { DeliveryOutcome } from '../domain/delivery';
import type { ExtractionSnapshot } from '../domain/extraction-job';
import { isEnded } from '../domain/lifecycle';
import type { SyncMetricsSample } from '../domain/sync-metrics';

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

export function createWorkerMetrics() {
  const registry = processRegistry('worker');
  const registers = [registry];
  const durations = new Histogram({
    name: 'sluice_job_duration_seconds', help: 'Extraction runs that ended, by final state: from the start of the run to its end',
    labelNames: ['kind', 'state'], buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600], registers,
  });
  const rows = new Counter({ name: 'sluice_rows_total', help: 'Rows moved by this worker process (extraction: of runs that ended; sync: records applied)', labelNames: ['kind'], registers });
  const bytes = new Counter({ name: 'sluice_bytes_total', help: 'Bytes moved by this worker process (extraction: of runs that ended; sync: change and snapshot bytes)', labelNames: ['kind'], registers });
  const deliveries = new Counter({
    name: 'sluice_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome (delivered, retry, failed: the last attempt did not get through, gone: 410, abandoned)',
    labelNames: ['outcome'], registers,
  });
  // A run is recorded more than once when its local activity is retried; count it once.
  const endedRuns = new Set<string>();
  // Sync samples carry an instance's running totals: count the growth since this process saw the instance.
  const syncTotals = new Map<string, { records: number; bytes: number }>();

  return {
    registry,
    jobRecorded(s: ExtractionSnapshot): void {
      const key = `${s.jobId}/${s.run}`;
      if (!isEnded('extraction', s.state) || endedRuns.has(key)) return;
      endedRuns.add(key);
      if (endedRuns.size > 10_000) endedRuns.delete(endedRuns.values().next().value!);
      if (s.runStartedAt && s.finishedAt) durations.observe({ kind: 'extraction', state: s.state }, (Date.parse(s.finishedAt) - Date.parse(s.runStartedAt)) / 1000);
      rows.inc({ kind: 'extraction' }, s.progress.rowsDone);
      bytes.inc({ kind: 'extraction' }, s.progress.bytesDone);
    },
    webhookAttempted(outcome: DeliveryOutcome): void {
      deliveries.inc({ outcome });
    },
    syncSampled(s: SyncMetricsSample): void {
      const key = `${s.jobId}/${s.run}`;
      const before = syncTotals.get(key);
      syncTotals.set(key, { records: s.records, bytes: s.bytes });
      if (!before) return;
      rows.inc({ kind: 'sync' }, Math.max(0, s.records - before.records));
      bytes.inc({ kind: 'sync' }, Math.max(0, s.bytes - before.bytes));
    },
  };
}

/** Serves GET /metrics on host:port; resolves to a function that stops it. A port in use is the caller's to log. */
export async function serveWorkerMetrics(registry: Registry, host: string, port: number, token: string | undefined): Promise<() => Promise<void>> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsEndpoint(registry, token));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
