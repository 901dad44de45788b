// GET /metrics for a registry, behind an optional bearer token (the figures cover every tenant).
import type express from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { isBearerToken } from './bearer-token';
import { Problem, sendProblem } from './problem';

export const metricsEndpoint = (registry: Registry, token: string | undefined): express.RequestHandler => async (req, res, next) => {
  if (token && !isBearerToken(req.headers.authorization, token)) {
    // problem+json, as every refusal of the API
    return sendProblem(res, req.originalUrl, new Problem(401, 'Unauthorized', 'a bearer token is required (SLUICE_METRICS_TOKEN)', {}, { 'WWW-Authenticate': 'Bearer' }));
  }
  try {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType).send(body);
  } catch (err) {
    next(err);
  }
};

/** A registry of one Sluice process (`process` label: api, worker) with Node's own figures, names prefixed sluice_. */
export function processRegistry(process: 'api' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry, prefix: 'sluice_' });
  return registry;
}
