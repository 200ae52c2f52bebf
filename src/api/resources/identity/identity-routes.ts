// GET /api/me: who the credential is.
import type { AppContext } from '../../../app-context.ts';
import type { RouteDefinition } from '../../route.ts';
import { IdentityEnvelope } from './identity-schemas.ts';

export function identityRoutes(_context: AppContext): RouteDefinition[] {
  return [
    {
      operationId: 'identity.get',
      method: 'GET',
      path: '/api/me',
      summary: 'The caller: a user, an organization-scoped key, or a partner.',
      access: 'any',
      response: IdentityEnvelope,
      errors: [401, 500],
      handler: async ({ caller }) => ({
        data: {
          ...(caller.userId ? { id: caller.userId, email: caller.userEmail } : {}),
          is_user: caller.kind === 'user',
          is_organization: caller.kind === 'organization',
          is_partner: caller.kind === 'partner',
          is_system: false,
          organization_id: caller.organizationId,
          organization_name: caller.organizationName,
          ...(caller.kind === 'user' && caller.userRole ? { role: caller.userRole } : {}),
        },
      }),
    },
  ];
}
