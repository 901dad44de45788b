import { Pool } from 'pg';
import { sourceSocket } from './copy-socket';

// One small pool per source URL, shared by the activities of a worker process.
export class SourcePools {
  private readonly pools = new Map<string, Pool>();
  constructor(private readonly maxPerSource = 10) {}

  get(connectionString: string): Pool {
    let pool = this.pools.get(connectionString);
    if (!pool) {
      // Sockets that read into a reused buffer: a COPY then allocates nothing per read (copy-socket.ts).
      pool = new Pool({ connectionString, max: this.maxPerSource, idleTimeoutMillis: 30_000, application_name: 'sluice', stream: sourceSocket });
      // An idle client losing its connection must not crash the worker; the next checkout reconnects.
      pool.on('error', () => undefined);
      this.pools.set(connectionString, pool);
    }
    return pool;
  }

  async end(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end()));
    this.pools.clear();
  }
}
