// A table model's SQL comes from its connection type's connector (Connector.tableQuery), looked up in the registry,
// so a connector that has tables brings its own quoting and a type without tables is refused naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connector } from '../../src/connectors/connector.ts';
import { createConnectorRegistry } from '../../src/connectors/registry.ts';
import { createSqlConnectors } from '../../src/connectors/sql-connectors.ts';
import { modelQuery } from '../../src/services/model-source.ts';
import { createInMemoryConnector, createInMemoryStore } from '../kit/in-memory-connector.ts';

test('each SQL connector quotes a table model for its own dialect', () => {
  const connectors = createConnectorRegistry(createSqlConnectors());
  const table = { table: 'public.order items' };
  assert.equal(modelQuery(connectors, 'postgresql', table), 'SELECT * FROM "public"."order items"');
  assert.equal(modelQuery(connectors, 'mysql', table), 'SELECT * FROM `public`.`order items`');
  assert.equal(modelQuery(connectors, 'sqlite', { table: 'order items' }), 'SELECT * FROM "order items"');
});

test('a registered connector with its own table query is used, without naming its type anywhere else', () => {
  const inMemory = createInMemoryConnector(createInMemoryStore());
  const withTables: Connector = { ...inMemory, type: 'tabular', tableQuery: (tableId) => `scan ${tableId}` };
  const connectors = createConnectorRegistry([withTables, inMemory]);
  assert.equal(modelQuery(connectors, 'tabular', { table: 'users' }), 'scan users');
  assert.throws(() => modelQuery(connectors, inMemory.type, { table: 'users' }), /configuration\.table/);
  assert.throws(() => modelQuery(connectors, 'unregistered', { table: 'users' }), /configuration\.table/);
});

test('a query model runs its query on any type', () => {
  const connectors = createConnectorRegistry([]);
  assert.equal(modelQuery(connectors, 'anything', { query: 'select 1' }), 'select 1');
});
