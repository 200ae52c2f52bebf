// The SQL connectors this folder ships, for createConnectorRegistry([...createSqlConnectors(), ...]).
import type { Connector } from './connector.ts';
import { createMysqlConnector } from './mysql/mysql-connector.ts';
import { createPostgresConnector } from './postgres/postgres-connector.ts';
import { createSqliteConnector } from './sqlite/sqlite-connector.ts';

export function createSqlConnectors(): Connector[] {
  return [createPostgresConnector(), createMysqlConnector(), createSqliteConnector()] as Connector[];
}
