// What logical replication needs from the user's PostgreSQL, each requirement named and explained in plain words
// with the fix: the connection test reports them all, and start() refuses to create anything while one fails.
import type { RunContext } from '../../domain/run-context.ts';
import type { ChangeCaptureRequirement } from '../change-capture.ts';
import type { PostgresClient } from './postgres-client.ts';
import type { PostgresConfiguration } from './postgres-configuration.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { splitSchemaId } from './postgres-introspector.ts';
import { findPublication, unpublishedTables } from './postgres-publication.ts';

/** Below this a walsender drops a Ferry session that is busy applying a large batch. */
const shortestSenderTimeoutMilliseconds = 10_000;

interface ServerRow {
  wal_level: string;
  replication: boolean;
  superuser: boolean;
  user_name: string;
  max_replication_slots: number;
  used_replication_slots: number;
  max_wal_senders: number;
  used_wal_senders: number;
  wal_sender_timeout: number;
  may_create: boolean;
}

const serverQuery = `
  select current_setting('wal_level') as wal_level, r.rolreplication as replication, r.rolsuper as superuser,
         current_user as user_name,
         current_setting('max_replication_slots')::int as max_replication_slots,
         (select count(*)::int from pg_replication_slots) as used_replication_slots,
         current_setting('max_wal_senders')::int as max_wal_senders,
         (select count(*)::int from pg_stat_activity where backend_type = 'walsender') as used_wal_senders,
         (select setting::int from pg_settings where name = 'wal_sender_timeout') as wal_sender_timeout,
         has_database_privilege(current_database(), 'CREATE') as may_create
  from pg_roles r where r.rolname = current_user`;

interface TableRow {
  schema_id: string;
  has_primary_key: boolean;
  replica_identity: string;
  owned: boolean;
}

const tablesQuery = `
  select n.nspname || '.' || c.relname as schema_id,
         exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary) as has_primary_key,
         c.relreplident::text as replica_identity, pg_has_role(c.relowner, 'USAGE') as owned
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and n.nspname || '.' || c.relname = any($1::text[])`;

function requirement(name: string, ok: boolean, message: string): ChangeCaptureRequirement {
  return { name, ok, message };
}

export async function checkPostgresChangeCapture(
  context: RunContext,
  client: PostgresClient,
  configuration: PostgresConfiguration,
  schemaIds: string[] = [],
): Promise<ChangeCaptureRequirement[]> {
  const server = (await client.query<ServerRow>(context, serverQuery)).rows[0];
  if (!server) return [requirement('role', false, 'The current role was not found in pg_roles')];
  const timeout = server.wal_sender_timeout;
  const requirements: ChangeCaptureRequirement[] = [
    requirement(
      'wal_level',
      server.wal_level === 'logical',
      server.wal_level === 'logical'
        ? 'wal_level is logical'
        : `wal_level is ${server.wal_level}; set wal_level = logical in postgresql.conf and restart PostgreSQL`,
    ),
    requirement(
      'replication_role',
      server.replication || server.superuser,
      server.replication || server.superuser
        ? `Role "${server.user_name}" may open replication connections`
        : `Role "${server.user_name}" lacks the REPLICATION attribute; run ALTER ROLE ${postgresDialect.quoteIdentifier(server.user_name)} REPLICATION`,
    ),
    requirement(
      'max_replication_slots',
      server.used_replication_slots < server.max_replication_slots,
      `${server.used_replication_slots} of max_replication_slots = ${server.max_replication_slots} are in use${
        server.used_replication_slots < server.max_replication_slots
          ? ''
          : '; raise max_replication_slots (one slot per bulk sync) or drop unused slots'
      }`,
    ),
    requirement(
      'max_wal_senders',
      server.used_wal_senders < server.max_wal_senders,
      `${server.used_wal_senders} of max_wal_senders = ${server.max_wal_senders} are in use${
        server.used_wal_senders < server.max_wal_senders ? '' : '; raise max_wal_senders (one per streaming bulk sync)'
      }`,
    ),
    {
      ...requirement(
        'wal_sender_timeout',
        timeout >= shortestSenderTimeoutMilliseconds,
        timeout === 0
          ? 'wal_sender_timeout is 0 (disabled): a lost replication connection keeps its slot busy until TCP gives up; set it to 60s'
          : timeout < shortestSenderTimeoutMilliseconds
            ? `wal_sender_timeout is ${timeout} ms; set it to at least 10s (60s is the default)`
            : `wal_sender_timeout is ${timeout} ms`,
      ),
      warning: true,
    },
  ];
  if (configuration.publication) {
    const publication = await findPublication(context, client, configuration.publication);
    const missing = publication ? unpublishedTables(publication, schemaIds.map(normalSchemaId)) : [];
    requirements.push(
      requirement(
        'publication',
        publication !== undefined && missing.length === 0,
        !publication
          ? `Publication "${configuration.publication}" does not exist; create it with CREATE PUBLICATION or leave publication empty so Ferry creates one`
          : missing.length > 0
            ? `Publication "${configuration.publication}" does not publish ${missing.join(', ')}; add them with ALTER PUBLICATION … ADD TABLE`
            : `Publication "${configuration.publication}" exists`,
      ),
    );
  } else {
    requirements.push(
      requirement(
        'publication',
        server.may_create || server.superuser,
        server.may_create || server.superuser
          ? `Role "${server.user_name}" may create a publication for each sync`
          : `No publication is configured and role "${server.user_name}" may not create one; name a publication or GRANT CREATE ON DATABASE ${postgresDialect.quoteIdentifier(configuration.database)}`,
      ),
    );
  }
  if (schemaIds.length > 0) requirements.push(...(await checkTables(context, client, configuration, schemaIds)));
  return requirements;
}

function normalSchemaId(schemaId: string): string {
  return splitSchemaId(schemaId).join('.');
}

async function checkTables(
  context: RunContext,
  client: PostgresClient,
  configuration: PostgresConfiguration,
  schemaIds: string[],
): Promise<ChangeCaptureRequirement[]> {
  const wanted = schemaIds.map(normalSchemaId);
  const { rows } = await client.query<TableRow>(context, tablesQuery, [wanted]);
  const byId = new Map(rows.map((row) => [row.schema_id, row]));
  const requirements: ChangeCaptureRequirement[] = [];
  for (const schemaId of wanted) {
    const table = byId.get(schemaId);
    const name = `replica_identity:${schemaId}`;
    if (!table) {
      requirements.push(requirement(name, false, `Table ${schemaId} does not exist`));
      continue;
    }
    const identified = table.has_primary_key || table.replica_identity === 'f' || table.replica_identity === 'i';
    requirements.push(
      requirement(
        name,
        identified && table.replica_identity !== 'n',
        table.replica_identity === 'n'
          ? `Table ${schemaId} has REPLICA IDENTITY NOTHING, so its updates and deletes carry no key; run ALTER TABLE ${postgresDialect.quoteTable(schemaId)} REPLICA IDENTITY FULL`
          : identified
            ? `Table ${schemaId} has a primary key or a replica identity`
            : `Table ${schemaId} has no primary key, so its updates and deletes carry no key; run ALTER TABLE ${postgresDialect.quoteTable(schemaId)} REPLICA IDENTITY FULL`,
      ),
    );
    if (!configuration.publication && !table.owned)
      requirements.push(
        requirement(
          `table_owner:${schemaId}`,
          false,
          `Ferry's publication needs the owner of ${schemaId}; grant role "${configuration.username}" the table's owner role or name a publication that publishes it`,
        ),
      );
  }
  return requirements;
}
