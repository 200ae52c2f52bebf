// Opening a stored connection for one metadata call: the capability check in plain words, closing the pool
// afterwards, and connector failures as API errors. Every endpoint of this family documents 400 (and most 404),
// so a missing object is a 404 and every other connector failure a 400 whose message is the connector's own.
import { ApiError } from '../api/errors.ts';
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

export function capabilityMissing(row: ConnectionRow, facet: FacetName): ApiError {
  return new ApiError(
    'bad_request',
    `Connection "${row.name}" is of type ${row.type}, which cannot be ${roles[facet]}.`,
    {
      metadata: { reason: 'capability_missing', capability: facet, type: row.type },
    },
  );
}

/** A connector failure as the API reports it; other errors pass through unchanged. */
function connectorFailure(error: unknown): unknown {
  if (!(error instanceof ConnectorError)) return error;
  const code = error.code === 'object_missing' ? 'not_found' : 'bad_request';
  return new ApiError(code, error.message, { metadata: { reason: error.code }, cause: error });
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
