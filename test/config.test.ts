// config.ts is the home of the operator-tunable defaults: loadConfig and the modules that fall back to a default
// when built without a configuration (the proxy, the bulk plan, the state cache, the query runner) read one value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ferryDefaults, loadConfig } from '../src/config.ts';
import { bulkPlanDefaults } from '../src/engine/bulk/bulk-sync-plan.ts';
import { defaultPreloadStateKeys } from '../src/engine/model-sync/state/state-cache.ts';
import { defaultProxyLimits } from '../src/proxy/proxy-limits.ts';
import { defaultQueryRunnerOptions } from '../src/services/query-runner.ts';

test('without variables, the configuration holds the defaults the modules fall back to', () => {
  const config = loadConfig({});
  assert.equal(config.proxyTimeoutMs, defaultProxyLimits.timeoutMs);
  assert.equal(config.proxyConnectionRateLimitPerMinute, defaultProxyLimits.connectionRateLimitPerMinute);
  assert.equal(config.proxyOrganizationRateLimitPerMinute, defaultProxyLimits.organizationRateLimitPerMinute);
  assert.equal(config.stateCacheBytes, 128 * 1024 * 1024);
  assert.equal(config.credentialCacheTtlMs, 10_000);
  assert.equal(config.entityCacheTtlMs, 1_000);
  assert.equal(bulkPlanDefaults.copyChunkSize, ferryDefaults.bulk.copyChunkSize);
  assert.equal(defaultPreloadStateKeys, ferryDefaults.preloadStateKeys);
  assert.deepEqual(defaultQueryRunnerOptions, ferryDefaults.queries);
});

test('variables override the defaults; 0 turns the caches off; nonsense is refused naming the variable', () => {
  const config = loadConfig({ FERRY_STATE_CACHE_MB: '2', FERRY_PROXY_TIMEOUT_MS: '5000', FERRY_ENTITY_CACHE_MS: '0' });
  assert.equal(config.stateCacheBytes, 2 * 1024 * 1024);
  assert.equal(config.proxyTimeoutMs, 5000);
  assert.equal(config.entityCacheTtlMs, 0);
  assert.equal(loadConfig({ FERRY_STATE_CACHE_MB: '0' }).stateCacheBytes, 0);
  assert.throws(() => loadConfig({ FERRY_STATE_CACHE_MB: 'lots' }), /FERRY_STATE_CACHE_MB/);
});

test('metrics: on the API port by default; FERRY_METRICS_PORT moves them, FERRY_METRICS=false turns them off', () => {
  const defaults = loadConfig({});
  assert.deepEqual([defaults.metricsEnabled, defaults.metricsPort], [true, undefined]);
  assert.equal(loadConfig({ FERRY_METRICS_PORT: '9464' }).metricsPort, 9464);
  assert.equal(loadConfig({ FERRY_METRICS: 'false' }).metricsEnabled, false);
  assert.equal(loadConfig({ FERRY_METRICS: 'true' }).metricsEnabled, true);
  assert.throws(() => loadConfig({ FERRY_METRICS_PORT: 'http' }), /FERRY_METRICS_PORT must be an integer/);
});
