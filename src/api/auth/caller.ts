// The authenticated principal behind a request: the services' Principal, and what the API itself shows of it.
import type { Principal } from '../../services/principal.ts';

export interface Caller extends Principal {
  organizationName: string;
  userRole?: string | null;
}

/** The scope idempotency keys and rate limits are kept in. */
export function callerScope(caller: Caller): string {
  return caller.kind === 'partner' ? `partner:${caller.partnerId}` : caller.organizationId;
}
