// All repositories over one Kysely instance (or one transaction).
import type { Clock } from '../../domain/clock.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { apiKeysRepository } from './api-keys-repository.ts';
import { connectionsRepository } from './connections-repository.ts';
import { jobsRepository } from './jobs-repository.ts';
import { queriesRepository } from './queries-repository.ts';
import { schemaCatalogRepository } from './schema-catalog-repository.ts';
import { proxyCallsRepository } from './proxy-calls-repository.ts';
import { bulkSyncsRepository } from './bulk-syncs-repository.ts';
import { bulkExecutionsRepository } from './bulk-executions-repository.ts';
import { modelSyncsRepository } from './model-syncs-repository.ts';
import { modelSyncExecutionsRepository } from './model-sync-executions-repository.ts';
import { idempotencyRepository } from './idempotency-repository.ts';
import { organizationsRepository } from './organizations-repository.ts';
import { partnersRepository } from './partners-repository.ts';
import { usersRepository } from './users-repository.ts';
import { modelsRepository } from './models-repository.ts';
import { rolesRepository } from './roles-repository.ts';
import { policiesRepository } from './policies-repository.ts';
import { objectPoliciesRepository } from './object-policies-repository.ts';
import { eventsRepository } from './events-repository.ts';
import { webhooksRepository } from './webhooks-repository.ts';
import { notificationsRepository } from './notifications-repository.ts';

export function createRepositories(db: Kysely<Database>, clock: Clock) {
  return {
    partners: partnersRepository(db, clock),
    organizations: organizationsRepository(db, clock),
    users: usersRepository(db, clock),
    apiKeys: apiKeysRepository(db, clock),
    idempotency: idempotencyRepository(db),
    connections: connectionsRepository(db),
    jobs: jobsRepository(db),
    schemaCatalog: schemaCatalogRepository(db),
    queries: queriesRepository(db),
    proxyCalls: proxyCallsRepository(db),
    bulkSyncs: bulkSyncsRepository(db),
    bulkExecutions: bulkExecutionsRepository(db),
    modelSyncs: modelSyncsRepository(db),
    modelSyncExecutions: modelSyncExecutionsRepository(db),
    models: modelsRepository(db),
    roles: rolesRepository(db, clock),
    policies: policiesRepository(db, clock),
    objectPolicies: objectPoliciesRepository(db),
    events: eventsRepository(db),
    webhooks: webhooksRepository(db),
    notifications: notificationsRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
