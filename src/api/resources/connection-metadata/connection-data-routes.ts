// Builds the services behind a connection's data endpoints (schemas, metadata, queries, jobs) once per server and
// returns their routes; routes.ts adds them with one line.
import type { AppContext } from '../../../app-context.ts';
import type { RouteDefinition } from '../../route.ts';
import type { ConnectionsService } from '../../../services/connections-service.ts';
import { connectionMetadata } from '../../../services/connection-metadata.ts';
import { queryRunner } from '../../../services/query-runner.ts';
import { schemaCatalog } from '../../../services/schema-catalog.ts';
import { jobRoutes } from '../jobs/job-routes.ts';
import { queryRoutes } from '../queries/query-routes.ts';
import { schemaRoutes } from '../schemas/schema-routes.ts';
import { metadataRoutes } from './metadata-routes.ts';

export function connectionDataRoutes(context: AppContext, connections: ConnectionsService): RouteDefinition[] {
  const { jobs } = context;
  const catalog = schemaCatalog({ repositories: context.repositories, connections, jobs, clock: context.clock });
  const runner = queryRunner({ repositories: context.repositories, connections, jobs, clock: context.clock });
  return [
    ...jobRoutes(jobs, { query: runner.createdBy }),
    ...schemaRoutes(connections, catalog),
    ...metadataRoutes(connections, connectionMetadata({ connections, catalog })),
    ...queryRoutes(connections, runner),
  ];
}
