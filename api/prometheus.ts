// The API's Prometheus endpoint: request latency by route, and the fleet's figures (jobs by state, the slot
// queue, each live sync's lag and retained WAL) read from Sluice's database at each scrape.
import express from 'express';
import { Gauge, Histogram } from 'prom-client';
import { EXTRACTION_STATES, SYNC_STATES } from '../domain/lifecycle';
import type { FleetStats } from '../store/fleet-stats';
import { metricsEndpoint, processRegistry } from './metrics-endpoint';

export function apiMetrics(stats: Pick<FleetStats, 'jobsByState' | 'queueLength' | 'syncLag'>) {
  const registry = processRegistry('api');
  const registers = [registry];
  const requests = new Histogram({
    name: 'sluice_api_request_duration_seconds', help: 'API requests by method, route (its pattern) and status, and how long they took',
    labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers,
  });
  new Gauge({
    name: 'sluice_jobs', help: 'Jobs by kind and state', labelNames: ['kind', 'state'], registers,
    async collect() {
      this.reset();
      // Every state is reported, 0 included: a state that empties must read 0, not vanish.
      for (const state of EXTRACTION_STATES) this.set({ kind: 'extraction', state }, 0);
      for (const state of SYNC_STATES) this.set({ kind: 'sync', state }, 0);
      for (const r of await stats.jobsByState()) this.set({ kind: r.kind, state: r.state }, r.count);
    },
  });
  new Gauge({
    name: 'sluice_queue_length', help: 'Extraction jobs waiting for a running slot', registers,
    async collect() {
      this.set(await stats.queueLength());
    },
  });
  const lagGauge = (name: string, help: string, pick: (l: Awaited<ReturnType<typeof stats.syncLag>>[number]) => number | null, scale = 1) =>
    new Gauge({
      name, help, labelNames: ['sync', 'tenant'], registers,
      async collect() {
        this.reset();
        for (const l of await stats.syncLag()) {
          const v = pick(l);
          if (v !== null) this.set({ sync: l.syncId, tenant: l.tenantId }, v * scale);
        }
      },
    });
  lagGauge('sluice_sync_idle_time_seconds', 'Idle Time of each live sync: now − commit time of the newest WAL entry it processed (newest sample)', (l) => l.idleMs, 1 / 1000);
  lagGauge('sluice_sync_emit_event_time_seconds', 'Emit Event Time of each live sync: the lag of its newest data change (newest sample)', (l) => l.emitMs, 1 / 1000);
  lagGauge('sluice_sync_retained_wal_bytes', 'WAL the slot of each live sync holds on its source (newest sample)', (l) => l.retainedWalBytes);

  /** Times every request; the route is the pattern that matched (`/v1/jobs/:id`), so ids do not become labels. */
  const timeRequests: express.RequestHandler = (req, res, next) => {
    const end = requests.startTimer();
    res.once('finish', () => end({ method: req.method, route: req.route ? `${req.baseUrl}${req.route.path}` : 'unmatched', status: String(res.statusCode) }));
    next();
  };
  return { registry, timeRequests, endpoint: (token: string | undefined) => metricsEndpoint(registry, token) };
}
