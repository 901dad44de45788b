// The admin operations on tenants and API keys, in one place for both admin surfaces: the `sluice` CLI and
// /admin/v1. Input is checked with the domain's schemas (a ZodError when it is bad); what cannot be done is an
// AdminRefusal, which each surface words as it must (an exit status, a problem).
import { newKeySchema, newTenantSchema, rotateKeySchema, type ApiKeyRecord, type TenantRecord } from '../domain/api-key';
import { LIMIT_NAMES, tenantLimitsPatchSchema, type LimitName, type OwnLimits } from '../domain/tenant-limits';
import type { ApiKeyStore } from './api-keys';
import type { TenantLimitStore } from './tenant-limits';
import type { TenantStore } from './tenants';

export class AdminRefusal extends Error {
  constructor(readonly kind: 'not_found' | 'conflict', message: string, readonly field?: string) {
    super(message);
  }
}

export interface NewKeyAnswer {
  /** The key itself: shown this once, kept only as a hash. */
  key: string;
  record: ApiKeyRecord;
}

const noKey = (id: string) => new AdminRefusal('not_found', `API key ${id} was not found`);

export class TenantAdmin {
  constructor(private readonly stores: { tenants: TenantStore; apiKeys: ApiKeyStore; tenantLimits: TenantLimitStore }) {}

  async createTenant(input: unknown): Promise<TenantRecord> {
    const t = newTenantSchema.parse(input);
    const made = await this.stores.tenants.insert(t.id, t.name ?? t.id);
    if (!made) throw new AdminRefusal('conflict', `tenant ${t.id} exists already`, 'id');
    return made;
  }

  listTenants(): Promise<TenantRecord[]> {
    return this.stores.tenants.list();
  }

  async createKey(input: unknown): Promise<NewKeyAnswer> {
    const k = newKeySchema.parse(input);
    const made = await this.stores.apiKeys.create(k);
    if (!made) throw new AdminRefusal('not_found', `tenant ${k.tenant} was not found`, 'tenant');
    return made;
  }

  async listKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    const keys = await this.stores.apiKeys.list(tenantId);
    if (!keys) throw new AdminRefusal('not_found', `tenant ${tenantId} was not found`, 'tenant');
    return keys;
  }

  /** A new key in the place of `id`, which stays valid for the grace period (default 24 h). */
  async rotateKey(id: string, input: unknown): Promise<NewKeyAnswer & { previous: ApiKeyRecord }> {
    const { grace } = rotateKeySchema.parse(input);
    const rotated = await this.stores.apiKeys.rotate(id, grace);
    if (!rotated) throw noKey(id);
    if ('refused' in rotated) throw new AdminRefusal('conflict', rotated.refused);
    return rotated;
  }

  async revokeKey(id: string): Promise<ApiKeyRecord> {
    const revoked = await this.stores.apiKeys.revoke(id);
    if (!revoked) throw noKey(id);
    return revoked;
  }

  /** The tenant's own limits, each null where the operator's default applies. */
  async limits(tenantId: string): Promise<Record<LimitName, number | null>> {
    await this.tenantExists(tenantId);
    return ownOrNull(await this.stores.tenantLimits.get(tenantId));
  }

  /** Sets the limits the input names (null: back to the default); the others stay. */
  async setLimits(tenantId: string, input: unknown): Promise<Record<LimitName, number | null>> {
    const patch = tenantLimitsPatchSchema.parse(input);
    await this.tenantExists(tenantId);
    return ownOrNull(await this.stores.tenantLimits.set(tenantId, patch));
  }

  private async tenantExists(tenantId: string): Promise<void> {
    if (!(await this.stores.tenants.exists(tenantId))) throw new AdminRefusal('not_found', `tenant ${tenantId} was not found`, 'tenant');
  }
}

const ownOrNull = (own: OwnLimits) => Object.fromEntries(LIMIT_NAMES.map((n) => [n, own[n] ?? null])) as Record<LimitName, number | null>;
