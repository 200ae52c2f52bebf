// Database rows → wire objects.
import type { UserRow } from '../../../persistence/repositories/users-repository.ts';

export function userToWire(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    organization_id: user.organization_id,
    ...(user.role ? { role: user.role } : {}),
    role_ids: user.role_ids,
  };
}
