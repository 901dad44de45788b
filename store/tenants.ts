// Tenants: whose jobs, connections and keys are whose. Their API keys are in store/api-keys.ts.
import type { Pool } from 'pg';
import type { TenantRecord } from '../domain/api-key';

export interface Tenant {
  id: string;
  name: string;
}

const COLUMNS = 'id, name, created_at AS "createdAt"';

export class TenantStore {
  constructor(private readonly db: Pool) {}

  /** Makes the tenant, or renames it (the dev stack and tests register theirs again on every run). */
  async create(id: string, name: string): Promise<Tenant> {
    await this.db.query('INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [id, name]);
    return { id, name };
  }

  /** Makes a new tenant; null when the id is taken. */
  async insert(id: string, name: string): Promise<TenantRecord | null> {
    const res = await this.db.query<TenantRecord>(`INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`, [id, name]);
    return res.rows[0] ?? null;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM tenants WHERE id = $1', [id])).rowCount === 1;
  }

  async list(): Promise<TenantRecord[]> {
    return (await this.db.query<TenantRecord>(`SELECT ${COLUMNS} FROM tenants ORDER BY id`)).rows;
  }
}
