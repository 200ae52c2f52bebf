import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../../../src/connectors/connector.ts';
import { ConnectorErrorCode } from '../../../src/connectors/connector-error.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import type { SessionGetter } from './conformance-suite.ts';

export function connectionCases(get: SessionGetter): void {
  describe('connection', () => {
    let connection: Connection;
    before(() => {
      connection = get().connector.open(get().configuration);
    });
    after(() => connection.close());

    test('test() succeeds with a good configuration', async () => {
      assert.deepEqual(await connection.test(createMockRunContext()), { ok: true });
    });

    test('the configuration schema marks required keys, defaults and sensitive fields', () => {
      const { configurationSchema } = get().connector;
      assert.equal(configurationSchema.type, 'object');
      for (const key of configurationSchema.required) assert.ok(configurationSchema.properties[key], key);
    });

    test('validation names the offending field', () => {
      const { connector, configuration } = get();
      const [firstRequired] = connector.configurationSchema.required;
      assert.ok(firstRequired);
      const { [firstRequired]: _omitted, ...missing } = configuration;
      const result = connector.validate(missing);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.field, firstRequired);
      assert.throws(() => connector.open(missing), { code: 'invalid_configuration', field: firstRequired });
    });

    test('test() explains each failure in plain words', async (t) => {
      const { connector, failingConfigurations, untestableFailures } = get();
      for (const failing of failingConfigurations) {
        await t.test(failing.name, async () => {
          const broken = connector.open(failing.configuration);
          try {
            const result = await broken.test(createMockRunContext());
            assert.equal(result.ok, false);
            assert.equal(!result.ok && result.code, failing.code, !result.ok ? result.message : '');
            assert.ok(!result.ok && result.message.length > 10);
          } finally {
            await broken.close();
          }
        });
      }
      for (const [code, reason] of Object.entries(untestableFailures ?? {})) {
        await t.test(`failure ${code}`, (sub) => sub.skip(reason));
      }
      const covered = new Set(failingConfigurations.map((failing) => failing.code));
      for (const code of [
        ConnectorErrorCode.hostUnreachable,
        ConnectorErrorCode.authenticationFailed,
        ConnectorErrorCode.databaseMissing,
      ]) {
        assert.ok(covered.has(code) || untestableFailures?.[code], `no case for ${code}`);
      }
    });
  });
}
