// A sync reads from a connection with role source and writes to another with role target, both the tenant's.
// The same cluster is fine (another database); the same connection for both is not: it would copy a table onto itself.
import type { ConnectionRole } from '../../domain/connection';
import type { SyncRequest } from '../../domain/sync-request';
import { badRequest, type Problem } from '../problem';

export type ConnectionRoles = (tenantId: string, name: string) => Promise<ConnectionRole[] | null>;

/** The 400 naming `source` or `target` when either is not a connection of the tenant in its role; null when both are. */
export async function connectionProblem(roles: ConnectionRoles, tenantId: string, r: Pick<SyncRequest, 'source' | 'target'>): Promise<Problem | null> {
  for (const [field, name] of [['source', r.source], ['target', r.target]] as const) {
    const has = await roles(tenantId, name);
    if (!has) return badRequest(field, `no connection named "${name}" is registered`, `use the name of a connection with role ${field}; GET /v1/connections lists them`);
    if (!has.includes(field)) {
      return badRequest(field, `the connection "${name}" is registered with role ${has.join(' and ')}, not ${field}`,
        `PUT /v1/connections/${name} with role ${field} among its roles to use it as the ${field} of a sync`);
    }
  }
  if (r.source === r.target) {
    return badRequest('target', `the target is the source connection "${r.source}"`, 'name another connection with role target (another database of the same server is fine)');
  }
  return null;
}
