// Deprecation (RFC 9745) and Sunset (RFC 8594) on responses served in older versions, through HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry, type TestFerry } from '../../kit/ferry-server.ts';
import { loadConfig } from '../../../src/config.ts';

// Each older version is deprecated from midnight UTC of the next newer version's release.
const deprecation = {
  '2024-02-08': '@1758153600', // 2025-09-18
  '2023-04-25': '@1707350400', // 2024-02-08
  '2022-12-12': '@1682380800', // 2023-04-25
  '2021-05-23': '@1670803200', // 2022-12-12
} as const;

describe('deprecation signals with sunsets configured', () => {
  let server: TestFerry;
  before(async () => {
    server = await startFerry('sqlite', { FERRY_VERSION_SUNSET: ' 2024-02-08=2027-06-30, 2023-04-25=2027-01-01' });
  });
  after(() => server.close());

  test('the default version has neither header, with or without the version header', async () => {
    for (const version of [undefined, '2025-09-18']) {
      const response = await call(server.url, 'GET', '/api/connections', { key: server.apiKey, version });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('deprecation'), null);
      assert.equal(response.headers.get('sunset'), null);
    }
  });

  test('every older version carries its Deprecation, and Sunset only where one is configured', async () => {
    const sunset: Record<string, string | null> = {
      '2024-02-08': 'Wed, 30 Jun 2027 00:00:00 GMT',
      '2023-04-25': 'Fri, 01 Jan 2027 00:00:00 GMT',
      '2022-12-12': null,
      '2021-05-23': null,
    };
    for (const [version, expected] of Object.entries(deprecation)) {
      const response = await call(server.url, 'GET', '/api/connections', { key: server.apiKey, version });
      assert.equal(response.status, 200, version);
      assert.equal(response.headers.get('x-polytomic-version'), version);
      assert.equal(response.headers.get('deprecation'), expected, version);
      assert.equal(response.headers.get('sunset'), sunset[version], version);
    }
  });

  test('errors and unknown routes carry the signals too', async () => {
    const unauthenticated = await call(server.url, 'GET', '/api/connections', { version: '2024-02-08' });
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.headers.get('deprecation'), deprecation['2024-02-08']);
    assert.equal(unauthenticated.headers.get('sunset'), 'Wed, 30 Jun 2027 00:00:00 GMT');
    const missing = await call(server.url, 'GET', '/api/no-such-route', { key: server.apiKey, version: '2022-12-12' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('deprecation'), deprecation['2022-12-12']);
  });

  test('GET /api/versions names the configured sunsets', async () => {
    const { body } = await call(server.url, 'GET', '/api/versions');
    const sunsets = Object.fromEntries(
      body.data.versions.map((entry: { version: string; sunset: string | null }) => [entry.version, entry.sunset]),
    );
    assert.deepEqual(sunsets, {
      '2025-09-18': null,
      '2024-02-08': '2027-06-30',
      '2023-04-25': '2027-01-01',
      '2022-12-12': null,
      '2021-05-23': null,
    });
  });
});

describe('deprecation signals without sunsets', () => {
  let server: TestFerry;
  before(async () => {
    server = await startFerry('sqlite');
  });
  after(() => server.close());

  test('older versions carry Deprecation and no Sunset', async () => {
    for (const [version, expected] of Object.entries(deprecation)) {
      const response = await call(server.url, 'GET', '/api/versions', { version });
      assert.equal(response.headers.get('deprecation'), expected, version);
      assert.equal(response.headers.get('sunset'), null, version);
    }
  });
});

test('a malformed FERRY_VERSION_SUNSET is refused at start, naming the entry and why', async () => {
  const refused: Record<string, RegExp> = {
    '2024-02-08': /"2024-02-08" is not VERSION=DATE/,
    '2024-02-08=2027-06-30=x': /is not VERSION=DATE/,
    '2024-02-09=2027-06-30': /"2024-02-09=2027-06-30" names no supported version \(supported: 2025-09-18, /,
    '2025-09-18=2027-06-30': /names the default version 2025-09-18/,
    '2024-02-08=2027-02-30': /has no valid YYYY-MM-DD date/,
    '2024-02-08=30.06.2027': /has no valid YYYY-MM-DD date/,
    '2024-02-08=2025-09-01': /ends before the version was deprecated on 2025-09-18/,
    '2024-02-08=2027-06-30,2024-02-08=2027-07-01': /"2024-02-08=2027-07-01" repeats a version/,
  };
  for (const [value, message] of Object.entries(refused)) {
    assert.throws(() => loadConfig({ FERRY_VERSION_SUNSET: value }), message, value);
    assert.throws(() => loadConfig({ FERRY_VERSION_SUNSET: value }), /^Error: FERRY_VERSION_SUNSET: /, value);
  }
  await assert.rejects(startFerry('sqlite', { FERRY_VERSION_SUNSET: '2024-02-08=soon' }), /FERRY_VERSION_SUNSET/);
  assert.deepEqual(loadConfig({}).versionSunsets, {});
});
