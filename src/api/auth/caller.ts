// The authenticated principal behind a request.
import type { ApiKeyKind } from '../../persistence/schema.ts';

export interface Caller {
  kind: ApiKeyKind;
  keyId: string;
  partnerId: string;
  /** The organization the caller acts in. A partner key acts in its partner's owner organization. */
  organizationId: string;
  organizationName: string;
  /** Set for user keys. */
  userId?: string;
  userEmail?: string;
  userRole?: string | null;
}

/** The scope idempotency keys and rate limits are kept in. */
export function callerScope(caller: Caller): string {
  return caller.kind === 'partner' ? `partner:${caller.partnerId}` : caller.organizationId;
}
