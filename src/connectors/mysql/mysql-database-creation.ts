// In MySQL and MariaDB a schema is a database: a destination table `ferry.people` (destination_configuration.schema
// "ferry") lives in the database `ferry` on the same server, which is created with the table when it is missing, as
// PostgreSQL's schema is. A table id without a dot lives in the connection's own database, which always exists.
// Creating a database needs the global CREATE privilege; an account without it gets permission_denied, naming it.
import type { RunContext } from '../../domain/run-context.ts';
import type { MysqlClient } from './mysql-client.ts';
import { mysqlDialect } from './mysql-dialect.ts';

const databaseExistsQuery = 'select 1 from information_schema.schemata where schema_name = ?';

async function databaseExists(context: RunContext, client: MysqlClient, database: string): Promise<boolean> {
  return (await client.query<unknown[]>(context, databaseExistsQuery, [database])).length > 0;
}

/** Creates the database part of `schemaId`, when it names one, if it is missing. */
export async function ensureMysqlDatabase(context: RunContext, client: MysqlClient, schemaId: string) {
  const parts = schemaId.split('.');
  if (parts.length < 2) return;
  const database = parts[0]!;
  if (await databaseExists(context, client, database)) return;
  try {
    await client.query(
      context,
      `create database if not exists ${mysqlDialect.quoteIdentifier(database)} default character set utf8mb4`,
    );
  } catch (error: unknown) {
    if (!(await databaseExists(context, client, database))) throw error;
  }
}
