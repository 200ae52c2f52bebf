// The one tenancy rule of entity lookup for resources stored as rows with an organization_id: an
// organization-scoped viewer sees only its own organization's rows, a partner only its organizations' rows. Each
// resource says how to find a row and how to describe it; the visibility check lives here alone.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityRecord, EntityResolver } from './entity-registry.ts';

export interface RowEntity<Row extends { organization_id: string }> {
  type: string;
  /** The row with this id; `organizationId` narrows the query when the viewer is organization-scoped. */
  find(id: string, organizationId: string | undefined): Promise<Row | undefined>;
  describe(row: Row, id: string): Pick<EntityRecord, 'canonicalPath' | 'relationships' | 'context'>;
}

export function rowEntityResolver<Row extends { organization_id: string }>(
  repositories: Pick<Repositories, 'organizations'>,
  entity: RowEntity<Row>,
): EntityResolver {
  return {
    type: entity.type,
    async resolve(id, viewer) {
      const row = await entity.find(id, viewer.kind === 'organization' ? viewer.organizationId : undefined);
      if (!row) return undefined;
      if (viewer.kind === 'organization' && row.organization_id !== viewer.organizationId) return undefined;
      if (
        viewer.kind === 'partner' &&
        !(await repositories.organizations.getForPartner(viewer.partnerId, row.organization_id))
      )
        return undefined;
      return { id, type: entity.type, organizationId: row.organization_id, ...entity.describe(row, id) };
    },
  };
}
