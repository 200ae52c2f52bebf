import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepOmittedSecrets, redactConfiguration } from '../../src/services/connection-secrets.ts';

const schema = {
  type: 'object',
  properties: {
    password: { type: 'string', 'x-sensitive': true },
    hostname: { type: 'string' },
    ssh_key_text: { type: 'string', 'x-sensitive': true },
  },
};

test('secrets are omitted from responses at any depth', () => {
  const configuration = {
    hostname: 'db',
    password: 'p',
    ssh_key_text: 'k',
    auth: {
      basic: { username: 'u', password: 'p2' },
      header: { name: 'X-Key', value: 'v' },
      query: [{ name: 'k', value: 'q' }],
      oauth: { client_id: 'c', client_secret: 's' },
    },
    headers: [{ name: 'Accept', value: 'application/json' }],
  };
  assert.deepEqual(redactConfiguration(configuration, schema), {
    hostname: 'db',
    auth: { basic: { username: 'u' }, header: { name: 'X-Key' }, query: [{ name: 'k' }], oauth: { client_id: 'c' } },
    headers: [{ name: 'Accept', value: 'application/json' }],
  });
});

test('an update that leaves secrets out keeps the stored ones; one that sends them replaces them', () => {
  const stored = { hostname: 'db', password: 'old', auth: { basic: { username: 'u', password: 'old2' } } };
  assert.deepEqual(keepOmittedSecrets({ hostname: 'db2', auth: { basic: { username: 'u2' } } }, stored, schema), {
    hostname: 'db2',
    password: 'old',
    auth: { basic: { username: 'u2', password: 'old2' } },
  });
  assert.equal(keepOmittedSecrets({ hostname: 'db', password: 'new' }, stored, schema).password, 'new');
  assert.equal('hostname' in keepOmittedSecrets({}, stored, schema), false, 'non-secret settings are not carried over');
});
