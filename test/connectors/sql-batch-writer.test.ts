// The SQL target writer's batch planning (pure) and its statement count, on a real in-memory SQLite
// database. Per-dialect behaviour runs in the conformance suite (conformance/model-target-batch-cases.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Row } from '../../src/connectors/records.ts';
import { planBatches } from '../../src/connectors/sql/sql-batch-writer.ts';
import { writeTargetRecords, type TargetSession } from '../../src/connectors/sql/sql-target-writer.ts';
import type { Statement } from '../../src/connectors/sql/sql-statements.ts';
import { classifySqliteError } from '../../src/connectors/sqlite/sqlite-errors.ts';
import { sqliteDialect } from '../../src/connectors/sqlite/sqlite-dialect.ts';
import { createMockRunContext } from '../kit/mock-run-context.ts';

const indexes = (plan: ReturnType<typeof planBatches>) =>
  plan.map((batch) => [batch.columns === undefined ? 'alone' : 'batch', batch.entries.map((entry) => entry.index)]);

describe('planBatches', () => {
  test('a repeated identity goes to a later round, by a key looser than the database can be', () => {
    const records: Row[] = [
      { email: 'A@x.com', n: 0 },
      { email: 'b@x.com', n: 1 },
      { email: 'a@x.com ', n: 2 },
      { email: 7, n: 3 },
      { email: '7', n: 4 },
      { email: 'É@x.com', n: 5 },
      { email: 'e@x.com', n: 6 },
      { email: null, n: 7 },
      { n: 8 },
    ];
    assert.deepEqual(
      indexes(planBatches({ objectId: 't', operation: 'upsert', identity: ['email'], records }, 65_535)),
      [
        ['batch', [0, 1, 3, 5]],
        ['alone', [7]],
        ['batch', [2, 4, 6]],
        ['alone', [8]],
      ],
    );
    // Inserts have no identity to repeat: one batch, in order.
    assert.deepEqual(
      indexes(planBatches({ objectId: 't', operation: 'insert', identity: [], records: records.slice(0, 3) }, 65_535)),
      [['batch', [0, 1, 2]]],
    );
  });

  test('records with other field sets are other batches; a batch stays under the parameter cap', () => {
    const records: Row[] = [
      { id: 1, a: 1 },
      { id: 2, b: 2 },
      { a: 3, id: 3 },
      { id: 4, a: 4 },
      { id: 5, a: 5 },
    ];
    // id, a and the ordinal: 3 parameters a record, so 7 allow 2 records.
    assert.deepEqual(indexes(planBatches({ objectId: 't', operation: 'update', identity: ['id'], records }, 7)), [
      ['batch', [0, 2]],
      ['batch', [3, 4]],
      ['batch', [1]],
    ]);
    // Deletes read only the identity, whatever else a record carries.
    assert.deepEqual(indexes(planBatches({ objectId: 't', operation: 'delete', identity: ['id'], records }, 65_535)), [
      ['batch', [0, 1, 2, 3, 4]],
    ]);
  });
});

describe('writeTargetRecords on SQLite', () => {
  const open = () => {
    const database = new Database(':memory:');
    database.exec('CREATE TABLE people (email TEXT PRIMARY KEY, name TEXT NOT NULL)');
    const statements: string[] = [];
    const session: TargetSession = {
      dialect: sqliteDialect,
      async run(statement: Statement) {
        statements.push(statement.text.split(' ', 2).join(' '));
        return database.prepare(statement.text).run(...statement.values).changes;
      },
      async rows(statement: Statement) {
        statements.push(statement.text.split(' ', 2).join(' '));
        return database.prepare(statement.text).all(...statement.values) as Row[];
      },
      classify: (error) => classifySqliteError(error),
      encode: (_column, value) => value,
    };
    return { database, statements, session };
  };
  const people = (count: number, name = (index: number): string | null => `P${index}`) =>
    Array.from({ length: count }, (_, index) => ({ email: `p${index}@x.com`, name: name(index) }));

  test('1,000 upserts are four statements: savepoint, match, insert (or update), release', async () => {
    const { database, statements, session } = open();
    const first = await writeTargetRecords(createMockRunContext(), session, {
      objectId: 'people',
      operation: 'upsert',
      identity: ['email'],
      records: people(1000),
    });
    assert.deepEqual([first.inserted, first.updated, first.rejected], [1000, 0, []]);
    assert.deepEqual(statements, ['SAVEPOINT ferry_batch', 'SELECT DISTINCT', 'INSERT INTO', 'RELEASE SAVEPOINT']);
    statements.length = 0;
    const second = await writeTargetRecords(createMockRunContext(), session, {
      objectId: 'people',
      operation: 'upsert',
      identity: ['email'],
      records: people(1000, (index) => `Q${index}`),
    });
    assert.deepEqual([second.inserted, second.updated, second.rejected], [0, 1000, []]);
    assert.deepEqual(statements, ['SAVEPOINT ferry_batch', 'SELECT DISTINCT', 'UPDATE "people"', 'RELEASE SAVEPOINT']);
    assert.equal(
      (database.prepare("SELECT count(*) AS n FROM people WHERE name LIKE 'Q%'").get() as { n: number }).n,
      1000,
    );
    database.close();
  });

  test('a batch that fails for one record is rolled back and written record by record', async () => {
    const { database, statements, session } = open();
    const records = people(100, (index) => (index === 42 ? null : `P${index}`));
    const result = await writeTargetRecords(createMockRunContext(), session, {
      objectId: 'people',
      operation: 'upsert',
      identity: ['email'],
      records,
    });
    assert.deepEqual([result.inserted, result.updated], [99, 0]);
    assert.deepEqual(
      result.rejected.map((rejection) => [rejection.index, rejection.code]),
      [[42, 'constraint_violation']],
    );
    assert.deepEqual(statements.slice(0, 6), [
      'SAVEPOINT ferry_batch',
      'SELECT DISTINCT',
      'INSERT INTO',
      'ROLLBACK TO',
      'RELEASE SAVEPOINT',
      'SAVEPOINT ferry_record',
    ]);
    assert.equal((database.prepare('SELECT count(*) AS n FROM people').get() as { n: number }).n, 99);
    database.close();
  });

  test('first in its transaction, a batch goes without a savepoint; a bad record restarts the transaction instead', async () => {
    const { database, statements, session } = open();
    database.exec('BEGIN');
    session.restartTransaction = async () => {
      statements.push('restart');
      database.exec('ROLLBACK');
      database.exec('BEGIN');
    };
    const clean = await writeTargetRecords(createMockRunContext(), session, {
      objectId: 'people',
      operation: 'insert',
      identity: [],
      records: people(10),
    });
    assert.deepEqual([clean.inserted, statements], [10, ['INSERT INTO']]);
    database.exec('COMMIT');
    database.exec('BEGIN');
    statements.length = 0;
    const records = [
      { email: 'p3@x.com', name: 'again' },
      { email: 'new@x.com', name: 'N' },
    ];
    const result = await writeTargetRecords(createMockRunContext(), session, {
      objectId: 'people',
      operation: 'insert',
      identity: [],
      records,
    });
    database.exec('COMMIT');
    assert.deepEqual(
      [result.inserted, result.rejected.map((rejection) => [rejection.index, rejection.code])],
      [1, [[0, 'constraint_violation']]],
    );
    assert.deepEqual(statements.slice(0, 3), ['INSERT INTO', 'restart', 'SAVEPOINT ferry_record']);
    assert.equal((database.prepare('SELECT count(*) AS n FROM people').get() as { n: number }).n, 11);
    database.close();
  });
});
