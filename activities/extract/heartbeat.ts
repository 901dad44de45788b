import { Context } from '@temporalio/activity';

// Heartbeats every second with the current position; the worker throttles what it sends to the server.
export function keepHeartbeating(ctx: Context, details: () => unknown, intervalMs = 1000): () => void {
  ctx.heartbeat(details());
  const timer = setInterval(() => ctx.heartbeat(details()), intervalMs);
  return () => clearInterval(timer);
}

export interface PartHeartbeat {
  rows: number;
  bytes: number;
}
