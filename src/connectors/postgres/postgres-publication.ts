// The publication a change stream reads. A publication the connection names is the user's: it must exist and cover
// the stream's tables, and Ferry never alters or drops it. Otherwise Ferry makes one named after the stream for
// exactly its tables, marked by a comment so that drop() removes only publications Ferry made.
import type { RunContext } from '../../domain/run-context.ts';
import { ConnectorError } from '../connector-error.ts';
import type { PostgresClient } from './postgres-client.ts';
import type { PostgresConfiguration } from './postgres-configuration.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { splitSchemaId } from './postgres-introspector.ts';

const ferryMark = 'created by Ferry';
const quote = postgresDialect.quoteIdentifier;

export function publicationName(configuration: PostgresConfiguration, streamId: string): string {
  return configuration.publication || streamId;
}

interface PublicationRow {
  all_tables: boolean;
  created_by_ferry: boolean;
  tables: string[];
}

const publicationQuery = `
  select p.puballtables as all_tables,
         coalesce(obj_description(p.oid, 'pg_publication') = '${ferryMark}', false) as created_by_ferry,
         array(select t.schemaname || '.' || t.tablename from pg_publication_tables t where t.pubname = p.pubname)
           as tables
  from pg_publication p where p.pubname = $1`;

export async function findPublication(
  context: RunContext,
  client: PostgresClient,
  name: string,
): Promise<PublicationRow | undefined> {
  return (await client.query<PublicationRow>(context, publicationQuery, [name])).rows[0];
}

/** The tables of `schemaIds` a publication does not publish. */
export function unpublishedTables(publication: PublicationRow, schemaIds: string[]): string[] {
  if (publication.all_tables) return [];
  const published = new Set(publication.tables);
  return schemaIds.filter((schemaId) => !published.has(schemaId));
}

export async function ensurePublication(
  context: RunContext,
  client: PostgresClient,
  configuration: PostgresConfiguration,
  request: { streamId: string; schemaIds: string[] },
): Promise<string> {
  const name = publicationName(configuration, request.streamId);
  const schemaIds = request.schemaIds.map((schemaId) => splitSchemaId(schemaId).join('.'));
  const existing = await findPublication(context, client, name);
  if (configuration.publication) {
    if (!existing)
      throw new ConnectorError(
        `Publication "${name}" does not exist; create it (CREATE PUBLICATION ${quote(name)} FOR TABLE …) or leave publication empty so Ferry creates one`,
        { code: 'object_missing', field: 'publication' },
      );
    const missing = unpublishedTables(existing, schemaIds);
    if (missing.length > 0)
      throw new ConnectorError(
        `Publication "${name}" does not publish ${missing.join(', ')}; run ALTER PUBLICATION ${quote(name)} ADD TABLE ${missing.map(postgresDialect.quoteTable).join(', ')}`,
        { code: 'invalid_configuration', field: 'publication' },
      );
    return name;
  }
  if (existing && !existing.created_by_ferry)
    throw new ConnectorError(`Publication "${name}" exists and was not created by Ferry; Ferry will not change it`, {
      code: 'invalid_configuration',
      field: 'publication',
    });
  const tables = schemaIds.map(postgresDialect.quoteTable).join(', ');
  await client.withClient(context, async (session) => {
    await session.query('begin');
    try {
      if (existing) await session.query(`alter publication ${quote(name)} set table ${tables}`);
      else {
        await session.query(`create publication ${quote(name)} for table ${tables}`);
        await session.query(`comment on publication ${quote(name)} is '${ferryMark}'`);
      }
      await session.query('commit');
    } catch (error: unknown) {
      await session.query('rollback').catch(() => {});
      throw classifyPostgresError(error, `Creating publication "${name}"`);
    }
  });
  return name;
}

/** Drops the stream's publication when Ferry made it; a user's publication, or none, is left alone. */
export async function dropFerryPublication(context: RunContext, client: PostgresClient, streamId: string) {
  const existing = await findPublication(context, client, streamId);
  if (existing?.created_by_ferry) await client.query(context, `drop publication if exists ${quote(streamId)}`);
}
