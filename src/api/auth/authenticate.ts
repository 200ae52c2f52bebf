// `Authorization: Bearer <key>` → the caller. Unknown, revoked or malformed keys are a 401.
import type { ApiKeysRepository } from '../../persistence/repositories/api-keys-repository.ts';
import type { CredentialCache } from './credential-cache.ts';
import { ApiError } from '../errors.ts';
import type { Caller } from './caller.ts';

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function tokenOf(authorization: string | undefined): string {
  const token = bearerToken(authorization);
  if (!token)
    throw new ApiError(
      'unauthorized',
      authorization ? 'The Authorization header must be "Bearer <api key>".' : 'Missing Authorization header.',
    );
  return token;
}

export interface Authenticator {
  /**
   * The caller when the key is in the credential cache, synchronously (most requests: no promise, no database);
   * undefined when the database must be asked. Throws the 401 for a missing or malformed header.
   */
  cached(authorization: string | undefined): Caller | undefined;
  /** The caller, from the cache or the database. */
  authenticate(authorization: string | undefined): Promise<Caller>;
}

export function createAuthenticator(apiKeys: ApiKeysRepository, cache: CredentialCache): Authenticator {
  return {
    cached: (authorization) => cache.get(tokenOf(authorization)),
    async authenticate(authorization) {
      const token = tokenOf(authorization);
      const cached = cache.get(token);
      if (cached) return cached;
      const principal = await apiKeys.findPrincipal(token);
      if (!principal?.organization_id) throw new ApiError('unauthorized', 'Invalid or revoked API key.');
      const caller: Caller = {
        kind: principal.kind,
        keyId: principal.key_id,
        partnerId: principal.partner_id,
        organizationId: principal.organization_id,
        organizationName: principal.organization_name ?? '',
        userId: principal.user_id ?? undefined,
        userEmail: principal.user_email ?? undefined,
        userRole: principal.user_role ?? null,
        userRoleIds: principal.user_role_ids ? (JSON.parse(principal.user_role_ids) as string[]) : [],
      };
      cache.set(token, caller);
      return caller;
    },
  };
}
