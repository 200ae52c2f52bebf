// Opening a stored connection for one metadata call: the capability check in plain words, closing the pool
// afterwards, and connector failures as domain errors: a missing object is not_found, every other connector failure
// upstream_failed with the connector's own message and its code as the reason.
import { DomainError } from '../domain/domain-error.ts';
import type { BulkDestination, BulkSource, Connection, ModelSource, ModelTarget } from '../connectors/connector.ts';
import { ConnectorError } from '../connectors/connector-error.ts';
import type { ConnectionRow } from '../persistence/repositories/connections-repository.ts';
import type { ConnectionsService } from './connections-service.ts';

interface Facets {
  bulkSource: BulkSource;
  bulkDestination: BulkDestination;
  modelSource: ModelSource;
  modelTarget: ModelTarget;
}
export type FacetName = keyof Facets;

/** What each facet lets a connection be, for the refusal message. */
const roles: Record<FacetName, string> = {
  bulkSource: 'a bulk-sync source',
  bulkDestination: 'a bulk-sync destination',
  modelSource: 'a model source',
  modelTarget: 'a model-sync target',
};

export function capabilityMissing(row: ConnectionRow, facet: FacetName): DomainError {
  return new DomainError(
    'precondition_failed',
    `Connection "${row.name}" is of type ${row.type}, which cannot be ${roles[facet]}.`,
    { details: { reason: 'capability_missing', capability: facet, type: row.type } },
  );
}

/** A connector failure as the use case reports it; other errors pass through unchanged. */
function connectorFailure(error: unknown): unknown {
  if (!(error instanceof ConnectorError)) return error;
  const kind = error.code === 'object_missing' ? 'not_found' : 'upstream_failed';
  return new DomainError(kind, error.message, { details: { reason: error.code }, cause: error });
}

/** Opens `row`, hands `use` the facet (or refuses when the type lacks it), and always closes the connection. */
export async function withFacet<F extends FacetName, T>(
  connections: Pick<ConnectionsService, 'open'>,
  row: ConnectionRow,
  facet: F,
  use: (facet: Facets[F], connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await connections.open(row);
  try {
    const found = connection[facet] as Facets[F] | undefined;
    if (!found) throw capabilityMissing(row, facet);
    return await use(found, connection);
  } catch (error: unknown) {
    throw connectorFailure(error);
  } finally {
    await connection.close().catch(() => {});
  }
}
