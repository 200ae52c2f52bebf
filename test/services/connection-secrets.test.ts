import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  keepOmittedSecrets,
  MaskedSecretError,
  redactConfiguration,
  redactUrl,
  restoreMaskedUrl,
} from '../../src/services/connection-secrets.ts';

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

test('URLs show their userinfo secret and query values masked; URLs without them are returned verbatim', () => {
  assert.equal(redactUrl('http://user:pass@host/base?api_key=k&x=1'), 'http://user:****@host/base?api_key=****&x=****');
  assert.equal(redactUrl('https://ghp_token@api.example.com/v1'), 'https://****@api.example.com/v1');
  assert.equal(redactUrl('https://api.example.com'), 'https://api.example.com', 'no trailing slash added');
  assert.equal(redactUrl('not a url'), 'not a url');
  assert.equal(redactUrl('postgres://app:pw@db:5432/main'), 'postgres://app:****@db:5432/main');
  const configuration = {
    url: 'http://u:p@h/b?k=v',
    auth: { oauth: { token_endpoint: 'https://id:sec@auth.example/token', client_secret: 's' } },
    headers: [
      { name: 'Accept', value: 'application/json' },
      { name: 'X-Api-Key', value: 'secret' },
    ],
    parameters: [{ name: 'tenant', value: 't' }],
  };
  assert.deepEqual(redactConfiguration(configuration, schema), {
    url: 'http://u:****@h/b?k=****',
    auth: { oauth: { token_endpoint: 'https://id:****@auth.example/token' } },
    headers: [{ name: 'Accept', value: 'application/json' }, { name: 'X-Api-Key' }],
    parameters: [{ name: 'tenant' }],
  });
});

test('a masked URL sent back gets the stored parts; a changed path keeps them; another host or an unknown mask is refused', () => {
  const stored = 'http://user:pass@host:8080/base?api_key=k&x=1';
  assert.equal(restoreMaskedUrl(redactUrl(stored), stored, 'configuration.url'), stored, 'verbatim');
  assert.equal(
    restoreMaskedUrl('http://user:****@host:8080/v2?x=****&api_key=****&y=2', stored, 'configuration.url'),
    'http://user:pass@host:8080/v2?x=1&api_key=k&y=2',
  );
  assert.equal(restoreMaskedUrl('http://other/new', stored, 'configuration.url'), 'http://other/new', 'no mask');
  assert.throws(
    () => restoreMaskedUrl('http://user:****@evil:8080/base', stored, 'configuration.url'),
    (error: unknown) => error instanceof MaskedSecretError && error.field === 'configuration.url',
  );
  assert.throws(() => restoreMaskedUrl('http://user:pass@host:8080/base?nope=****', stored, 'configuration.url'), {
    name: 'Error',
  });
});

test('an update keeps the secret values of name/value lists it sends back without them, matched by name', () => {
  const stored = {
    url: 'http://u:p@h/b?k=v',
    headers: [
      { name: 'Accept', value: 'application/json' },
      { name: 'X-Api-Key', value: 'secret' },
    ],
    parameters: [{ name: 'tenant', value: 't' }],
    auth: { query: [{ name: 'key', value: 'q' }] },
  };
  const shown = redactConfiguration(stored, schema);
  assert.deepEqual(keepOmittedSecrets(shown, stored, schema), stored);
  const changed = keepOmittedSecrets(
    { ...shown, headers: [{ name: 'X-Api-Key', value: 'new' }], parameters: [{ name: 'other' }] },
    stored,
    schema,
  );
  assert.deepEqual(changed.headers, [{ name: 'X-Api-Key', value: 'new' }]);
  assert.deepEqual(changed.parameters, [{ name: 'other' }], 'a new name has no stored value to keep');
});
