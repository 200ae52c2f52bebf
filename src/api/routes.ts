// Every REST resource's routes. A new resource adds one line here.
import type { AppContext } from '../app-context.ts';
import type { RouteDefinition } from './route.ts';
import { entityRoutes } from './resources/entities/entity-routes.ts';
import { identityRoutes } from './resources/identity/identity-routes.ts';
import { organizationRoutes } from './resources/organizations/organization-routes.ts';
import { currentOrganizationUserRoutes } from './resources/users/current-organization-user-routes.ts';
import { partnerUserRoutes } from './resources/users/partner-user-routes.ts';

export function allRoutes(context: AppContext): RouteDefinition[] {
  return [
    ...identityRoutes(context),
    ...organizationRoutes(context),
    ...currentOrganizationUserRoutes(context),
    ...partnerUserRoutes(context),
    ...entityRoutes(context),
  ];
}
