import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export interface Tenant {
  id: string;
  name: string;
}

export class TenantStore {
  constructor(private readonly db: Pool) {}

  async create(id: string, name: string): Promise<Tenant> {
    await this.db.query('INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [id, name]);
    return { id, name };
  }

  /** Makes a new API key for the tenant and returns it; only its hash is stored. */
  async createApiKey(tenantId: string, label = ''): Promise<string> {
    const key = `sk_${randomBytes(24).toString('base64url')}`;
    await this.addApiKey(tenantId, key, label);
    return key;
  }

  /** Registers a known key (the dev stack keeps its demo key across runs). */
  async addApiKey(tenantId: string, key: string, label = ''): Promise<void> {
    await this.db.query('INSERT INTO api_keys (key_hash, tenant_id, label) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [hashKey(key), tenantId, label]);
  }

  async forApiKey(key: string): Promise<Tenant | null> {
    const res = await this.db.query<Tenant>(
      'SELECT t.id, t.name FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = $1',
      [hashKey(key)],
    );
    return res.rows[0] ?? null;
  }
}
