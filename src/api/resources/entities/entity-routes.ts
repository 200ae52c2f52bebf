// Entity lookup: GET /api/entities/{id} (the caller's organization) and GET /api/organizations/entities/{id}
// (every organization of the partner). Unknown ids and other tenants' ids are the same 404.
import type { AppContext } from '../../../app-context.ts';
import { notFound } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import type { EntityRecord } from '../../../services/entity-registry.ts';
import { IdParams } from '../envelope.ts';
import { EntityResponseEnvelope } from './entity-schemas.ts';

// Built by assignment: an object literal with conditional spreads takes V8's slow path (bench/README.md, bench/api).
function entityToWire(entity: EntityRecord, includeOrganization: boolean) {
  const wire: Record<string, unknown> = { id: entity.id, type: entity.type };
  if (includeOrganization) wire.organization_id = entity.organizationId;
  wire.canonical_path = entity.canonicalPath;
  wire.relationships = entity.relationships ?? {};
  if (entity.context) wire.context = entity.context;
  return wire;
}

export function entityRoutes(context: AppContext): RouteDefinition[] {
  return [
    {
      operationId: 'entities.get',
      method: 'GET',
      path: '/api/entities/{id}',
      summary: "Resolve any id within the caller's organization to its type, canonical path and relationships.",
      access: 'organization',
      params: IdParams,
      response: EntityResponseEnvelope,
      errors: [401, 403, 404, 500],
      handler: async ({ caller, params }) => {
        const entity = await context.entities.lookup(params.id, {
          kind: 'organization',
          organizationId: caller.organizationId,
        });
        if (!entity) throw notFound('entity');
        return { data: entityToWire(entity, false) };
      },
    },
    {
      operationId: 'entities.getForPartner',
      method: 'GET',
      path: '/api/organizations/entities/{id}',
      summary: "Resolve any id across the partner's organizations.",
      access: 'partner',
      params: IdParams,
      response: EntityResponseEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const entity = await context.entities.lookup(params.id, { kind: 'partner', partnerId: caller.partnerId });
        if (!entity) throw notFound('entity');
        return { data: entityToWire(entity, true) };
      },
    },
  ];
}
