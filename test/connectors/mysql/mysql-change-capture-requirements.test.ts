// What change capture needs from the server, named: a temporary account without replication grants is told which
// grants it lacks, by check() and by the connection test; SHOW GRANTS lines are read as the server writes them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { createMysqlConnector } from '../../../src/connectors/mysql/mysql-connector.ts';
import { globalPrivileges } from '../../../src/connectors/mysql/mysql-change-capture-requirements.ts';
import { mysqlAdminUrl, mysqlUnavailable } from '../../kit/services.ts';
import { type CaptureFixture, context, openCaptureFixture } from './mysql-change-capture-kit.ts';

const unavailable = await mysqlUnavailable();

test('SHOW GRANTS lines: only privileges on *.* count, in any spelling the servers use', () => {
  assert.deepEqual(
    [
      ...globalPrivileges([
        "GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `ferry`@`%` IDENTIFIED BY PASSWORD '*AB'",
        'GRANT REPLICATION CLIENT ON `shop`.* TO `ferry`@`%`',
        'GRANT ALL PRIVILEGES ON `shop`.* TO `ferry`@`%`',
      ]),
    ],
    ['SELECT', 'REPLICATION SLAVE', 'BINLOG MONITOR'],
  );
});

describe('MySQL change-capture requirements', { skip: unavailable }, () => {
  let fixture: CaptureFixture;
  let admin: mysql.Connection;
  const account = `ferry_cdc_${randomBytes(4).toString('hex')}`;
  before(async () => {
    fixture = await openCaptureFixture();
    admin = await mysql.createConnection({ uri: mysqlAdminUrl });
    await admin.query(`create user '${account}'@'%' identified by 'cdc-test-password'`);
    await admin.query(`grant select on \`${fixture.database.name}\`.* to '${account}'@'%'`);
    await fixture.native.query('create table keyed (id int primary key); create table loose (n int)');
  });
  after(async () => {
    await admin?.query(`drop user if exists '${account}'@'%'`);
    await admin?.end();
    await fixture?.close();
  });

  test('root on the local MariaDB meets every requirement; a table without a primary key is a warning', async () => {
    const requirements = await fixture.capture.check(context(), [fixture.schemaId('keyed'), fixture.schemaId('loose')]);
    assert.deepEqual(
      requirements.filter((requirement) => !requirement.ok && !requirement.warning),
      [],
    );
    // The local server keeps MariaDB's default binlog_row_metadata (NO_LOG): reported, not refused.
    const metadata = requirements.find((requirement) => requirement.name === 'binlog_row_metadata');
    assert.ok(metadata?.ok || metadata?.warning);
    assert.deepEqual(
      requirements.map((requirement) => requirement.name),
      [
        'log_bin',
        'binlog_format',
        'binlog_row_image',
        'binlog_row_metadata',
        'replication_slave_grant',
        'replication_client_grant',
        `primary_key:${fixture.schemaId('keyed')}`,
        `primary_key:${fixture.schemaId('loose')}`,
      ],
    );
    assert.equal(requirements.at(-1)!.ok, false);
    assert.equal(requirements.at(-1)!.warning, true);
    assert.match(requirements.at(-1)!.message, /no primary key.*whole old row/);
    assert.equal(requirements.at(-2)!.ok, true);
    assert.equal((await fixture.connection.test(context())).ok, true);
  });

  test('an account without replication grants is told which ones it lacks', async () => {
    const connection = createMysqlConnector().open({
      ...fixture.configuration,
      account,
      passwd: 'cdc-test-password',
    });
    try {
      assert.ok(connection.changeCapture);
      const requirements = await connection.changeCapture.check(context(), [fixture.schemaId('missing')]);
      const missing = requirements.filter((requirement) => !requirement.ok && !requirement.warning);
      assert.deepEqual(
        missing.map((requirement) => requirement.name),
        ['replication_slave_grant', 'replication_client_grant', `primary_key:${fixture.schemaId('missing')}`],
      );
      assert.match(missing[0]!.message, /lacks REPLICATION SLAVE.*GRANT REPLICATION SLAVE ON \*\.\*/);
      assert.match(missing[1]!.message, /lacks BINLOG MONITOR \(REPLICATION CLIENT\)/);
      assert.match(missing[2]!.message, /does not exist/);
      const result = await connection.test(context());
      assert.equal(result.ok, false);
      assert.ok(!result.ok && /REPLICATION SLAVE/.test(result.message) && /BINLOG MONITOR/.test(result.message));
      await assert.rejects(
        connection.changeCapture.start(context(), { streamId: 'ferry_grants', schemaIds: [fixture.schemaId('keyed')] }),
        /Change capture cannot run: .*REPLICATION SLAVE/,
      );
    } finally {
      await connection.close();
    }
  });

  test('without change_detection there is no changeCapture and the test does not check the binlog', async () => {
    const connection = createMysqlConnector().open({
      ...fixture.configuration,
      change_detection: false,
      account,
      passwd: 'cdc-test-password',
    });
    try {
      assert.equal(connection.changeCapture, undefined);
      assert.deepEqual(await connection.test(context()), { ok: true });
    } finally {
      await connection.close();
    }
  });
});
