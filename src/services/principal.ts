// Who acts in a use case: the key behind the request, the organization it acts in, and the partner or user it
// belongs to. Services decide tenancy and record authorship from this alone; the API layer builds it (as its
// Caller, which carries more) when it authenticates a request.
import type { ApiKeyKind } from '../persistence/schema.ts';

export interface Principal {
  kind: ApiKeyKind;
  keyId: string;
  partnerId: string;
  /** The organization the principal acts in. A partner key acts in its partner's owner organization. */
  organizationId: string;
  /** Set for user keys. */
  userId?: string;
  userEmail?: string;
  /** User keys: the legacy role name (`admin`, `user`) and the role ids the user holds, as of authentication. */
  userRole?: string | null;
  userRoleIds?: string[];
}
