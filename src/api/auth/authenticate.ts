// `Authorization: Bearer <key>` → the caller. Unknown, revoked or malformed keys are a 401.
import type { ApiKeysRepository } from '../../persistence/repositories/api-keys-repository.ts';
import { hashApiKey } from '../../persistence/repositories/api-keys-repository.ts';
import type { CredentialCache } from './credential-cache.ts';
import { ApiError } from '../errors.ts';
import type { Caller } from './caller.ts';

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function createAuthenticator(apiKeys: ApiKeysRepository, cache: CredentialCache) {
  return async function authenticate(authorization: string | undefined): Promise<Caller> {
    const token = bearerToken(authorization);
    if (!token) throw new ApiError('unauthorized', authorization ? 'The Authorization header must be "Bearer <api key>".' : 'Missing Authorization header.');
    const keyHash = hashApiKey(token);
    const cached = cache.get(keyHash);
    if (cached) return cached;
    const principal = await apiKeys.findPrincipal(token);
    if (!principal || !principal.organization_id) throw new ApiError('unauthorized', 'Invalid or revoked API key.');
    const caller: Caller = {
      kind: principal.kind,
      keyId: principal.key_id,
      partnerId: principal.partner_id,
      organizationId: principal.organization_id,
      organizationName: principal.organization_name ?? '',
      userId: principal.user_id ?? undefined,
      userEmail: principal.user_email ?? undefined,
      userRole: principal.user_role ?? null,
    };
    cache.set(keyHash, caller);
    return caller;
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
