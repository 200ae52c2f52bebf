import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiVersions, compareVersions, latestVersion, resolveVersion } from '../../../src/api/versioning/versions.ts';

test('no header, or an empty one, means 2025-09-18', () => {
  assert.equal(latestVersion, '2025-09-18');
  assert.deepEqual(resolveVersion(undefined), { ok: true, version: '2025-09-18' });
  assert.deepEqual(resolveVersion('  '), { ok: true, version: '2025-09-18' });
});

test('each supported version resolves to itself', () => {
  for (const version of apiVersions) assert.deepEqual(resolveVersion(version), { ok: true, version });
  assert.deepEqual(resolveVersion(' 2024-02-08 '), { ok: true, version: '2024-02-08' });
});

test('malformed, unknown and repeated values are refused with a reason', () => {
  for (const value of ['2024-2-8', 'v1', '2025-09-19', '1999-01-01']) {
    const resolution = resolveVersion(value);
    assert.equal(resolution.ok, false, value);
  }
  assert.equal(resolveVersion(['2024-02-08', '2025-09-18']).ok, false);
});

test('versions are ordered newest first', () => {
  assert.deepEqual([...apiVersions], ['2025-09-18', '2024-02-08', '2023-04-25', '2022-12-12', '2021-05-23']);
  assert.ok(compareVersions('2021-05-23', '2025-09-18') < 0);
  assert.ok(compareVersions('2025-09-18', '2024-02-08') > 0);
  assert.equal(compareVersions('2023-04-25', '2023-04-25'), 0);
});
