// How many inline answers this API process has in progress, in all and per tenant. Each holds a source
// connection and up to SLUICE_INLINE_MAX_BYTES of output in memory, so the most at once bounds both; a tenant's
// own limit keeps one tenant from taking them all.
export class InlineCapacity {
  inUse = 0;
  private readonly byTenant = new Map<string, number>();

  inUseBy(tenantId: string): number {
    return this.byTenant.get(tenantId) ?? 0;
  }

  take(tenantId: string): void {
    this.inUse++;
    this.byTenant.set(tenantId, this.inUseBy(tenantId) + 1);
  }

  give(tenantId: string): void {
    this.inUse--;
    const left = this.inUseBy(tenantId) - 1;
    if (left > 0) this.byTenant.set(tenantId, left);
    else this.byTenant.delete(tenantId);
  }
}
