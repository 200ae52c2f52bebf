// Every REST resource's routes. A new resource adds one line here.
import type { AppContext } from '../app-context.ts';
import type { RouteDefinition } from './route.ts';
import { connectCardRoutes } from './resources/connections/connect-card-routes.ts';
import { connectionRoutes } from './resources/connections/connection-routes.ts';
import { connectionTypeRoutes } from './resources/connections/connection-type-routes.ts';
import { sharedConnectionRoutes } from './resources/connections/shared-connection-routes.ts';
import { connectionsService } from '../services/connections-service.ts';
import { connectionDataRoutes } from './resources/connection-metadata/connection-data-routes.ts';
import { proxyRoutes } from './resources/proxy/proxy-routes.ts';
import { bulkSyncRoutes } from './resources/bulk-syncs/bulk-sync-routes.ts';
import { bulkSchemaRoutes } from './resources/bulk-syncs/bulk-schema-routes.ts';
import { bulkScheduleRoutes } from './resources/bulk-syncs/bulk-schedule-routes.ts';
import { bulkSyncsService } from '../services/bulk-syncs-service.ts';
import { bulkExecutionRoutes } from './resources/bulk-syncs/bulk-execution-routes.ts';
import { bulkExecutionLogRoutes } from './resources/bulk-syncs/bulk-execution-log-routes.ts';
import { bulkExecutionsService } from '../services/bulk-executions-service.ts';
import { modelSyncExecutionRoutes } from './resources/model-syncs/model-sync-execution-routes.ts';
import { modelSyncExecutionsService } from '../services/model-sync-executions-service.ts';
import { modelSyncRoutes } from './resources/model-syncs/model-sync-routes.ts';
import { modelSyncsService } from '../services/model-syncs-service.ts';
import { modelSyncLogRoutes } from './resources/model-syncs/model-sync-log-routes.ts';
import { modelRoutes } from './resources/models/model-routes.ts';
import { enrichmentRoutes } from './resources/models/enrichment-routes.ts';
import { modelsService } from '../services/models-service.ts';
import { entityRoutes } from './resources/entities/entity-routes.ts';
import { identityRoutes } from './resources/identity/identity-routes.ts';
import { organizationRoutes } from './resources/organizations/organization-routes.ts';
import { currentOrganizationUserRoutes } from './resources/users/current-organization-user-routes.ts';
import { partnerUserRoutes } from './resources/users/partner-user-routes.ts';
import { permissionRoutes } from './resources/permissions/permission-routes.ts';
import { permissionsService } from '../services/permissions-service.ts';
import { guardPermissions } from './permission-guard.ts';
import { versionRoutes } from './resources/versions/version-routes.ts';
import { eventRoutes } from './resources/events/event-routes.ts';
import { eventsService } from '../services/events-service.ts';
import { webhookRoutes } from './resources/webhooks/webhook-routes.ts';
import { webhooksService } from '../services/webhooks-service.ts';
import { notificationRoutes } from './resources/notifications/notification-routes.ts';
import { notificationsService } from '../services/notifications-service.ts';

export function allRoutes(context: AppContext): RouteDefinition[] {
  const connections = connectionsService(context);
  const bulkSyncs = bulkSyncsService(context, connections);
  const routes = [
    ...identityRoutes(context),
    ...organizationRoutes(context),
    ...currentOrganizationUserRoutes(context),
    ...partnerUserRoutes(context),
    ...entityRoutes(context),
    ...connectionTypeRoutes(context),
    ...connectionRoutes(context, connections, bulkSyncs.changeStreams),
    ...sharedConnectionRoutes(context, connections),
    ...connectionDataRoutes(context, connections),
    ...connectCardRoutes(context),
    ...proxyRoutes(context, connections),
    ...bulkSyncRoutes(context, bulkSyncs),
    ...bulkSchemaRoutes(context, bulkSyncs),
    ...bulkScheduleRoutes(context, bulkSyncs),
    ...bulkExecutionRoutes(context, bulkSyncs, bulkExecutionsService(context)),
    ...bulkExecutionLogRoutes(context, bulkSyncs),
    ...modelRoutes(context, modelsService(context, connections)),
    ...enrichmentRoutes(connections),
    ...modelSyncExecutionRoutes(context, modelSyncExecutionsService(context)),
    ...modelSyncRoutes(context, modelSyncsService(context, connections)),
    ...modelSyncLogRoutes(context),
    ...permissionRoutes(context),
    ...versionRoutes(context.config.versionSunsets),
    ...eventRoutes(eventsService(context)),
    ...webhookRoutes(webhooksService(context)),
    ...notificationRoutes(notificationsService(context)),
  ];
  return guardPermissions(routes, permissionsService(context.repositories));
}
