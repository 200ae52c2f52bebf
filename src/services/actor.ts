// The OutputActor the spec attaches to created_by / updated_by: who made a change.
import type { Principal } from './principal.ts';

export interface OutputActor {
  id: string;
  name: string;
  type: 'user' | 'organization' | 'partner';
}

export function actorOf(caller: Principal): OutputActor {
  if (caller.kind === 'user' && caller.userId) return { id: caller.userId, name: caller.userEmail ?? '', type: 'user' };
  if (caller.kind === 'partner') return { id: caller.partnerId, name: 'partner key', type: 'partner' };
  return { id: caller.keyId, name: 'organization key', type: 'organization' };
}
