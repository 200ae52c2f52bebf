// Services throw DomainErrors; the API renders each kind as one key and status of the registry, with the message
// and details unchanged, in every version. The wire bodies below are the ones the API sent when services threw
// ApiErrors themselves, byte for byte.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { domainErrorCodes } from '../../src/api/domain-error-mapping.ts';
import { createErrorRenderer } from '../../src/api/error-response.ts';
import { ApiError, errorCodes } from '../../src/api/errors.ts';
import { versionChanges } from '../../src/api/versioning/changes/index.ts';
import { apiVersions } from '../../src/api/versioning/versions.ts';
import {
  DomainError,
  type DomainErrorKind,
  invalidField,
  notFound,
  unprocessableField,
} from '../../src/domain/domain-error.ts';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';

const expected: Record<DomainErrorKind, { status: number; key: string }> = {
  not_found: { status: 404, key: 'not_found' },
  invalid: { status: 400, key: 'validation_failed' },
  malformed: { status: 400, key: 'bad_request' },
  unprocessable: { status: 422, key: 'unprocessable' },
  conflict: { status: 409, key: 'conflict' },
  forbidden: { status: 403, key: 'forbidden' },
  precondition_failed: { status: 400, key: 'bad_request' },
  upstream_failed: { status: 400, key: 'bad_request' },
};

describe('domain errors on the wire', () => {
  const render = createErrorRenderer(versionChanges);

  test('every kind has its key, and the key its status in the registry', () => {
    assert.deepEqual(Object.keys(domainErrorCodes).sort(), Object.keys(expected).sort());
    for (const [kind, { status, key }] of Object.entries(expected)) {
      assert.equal(domainErrorCodes[kind as DomainErrorKind], key, kind);
      assert.equal(errorCodes[key as keyof typeof errorCodes].status, status, kind);
    }
  });

  test('each kind renders as the ApiError it stands for, in every version, message and details in order', () => {
    for (const [kind, { status, key }] of Object.entries(expected)) {
      const details = { reason: 'object_missing', field: 'configuration.table', ids: ['a', 'b'] };
      const domain = new DomainError(kind as DomainErrorKind, 'configuration.table: no such table', { details });
      const api = new ApiError(key as keyof typeof errorCodes, 'configuration.table: no such table', {
        metadata: details,
      });
      for (const version of apiVersions) {
        const rendered = render(domain, version, 'request-1');
        assert.equal(rendered.status, status, `${kind} in ${version}`);
        assert.equal(rendered.unexpected, false, `${kind} is a client's matter, not logged as a failure`);
        assert.equal(
          JSON.stringify(rendered.body),
          JSON.stringify(render(api, version, 'request-1').body),
          `${kind} in ${version}`,
        );
      }
      assert.equal(
        JSON.stringify(render(domain, apiVersions[0], 'request-1').body),
        `{"status":${status},"message":"configuration.table: no such table","key":"${key}","metadata":{"reason":"object_missing","field":"configuration.table","ids":["a","b"]}}`,
      );
    }
  });

  test('the field helpers name the field first in the message and carry its path', () => {
    const invalid = invalidField('params.a', 'must be a string or a list of strings');
    assert.equal(invalid.field, 'params.a');
    assert.equal(
      JSON.stringify(render(invalid, apiVersions[0], 'request-1').body),
      '{"status":400,"message":"params.a: must be a string or a list of strings","key":"validation_failed","metadata":{"field":"params.a"}}',
    );
    const unprocessable = unprocessableField('fields[0]', 'the model has no field "x"');
    assert.equal(unprocessable.field, 'fields[0]');
    assert.equal(
      JSON.stringify(render(unprocessable, apiVersions[0], 'request-1').body),
      '{"status":422,"message":"fields[0]: the model has no field \\"x\\"","key":"unprocessable","metadata":{"field":"fields[0]"}}',
    );
    const missing = notFound('connection');
    assert.equal(missing.field, undefined);
    assert.equal(
      JSON.stringify(render(missing, apiVersions[0], 'request-1').body),
      '{"status":404,"message":"connection not found","key":"not_found"}',
    );
  });

  test('a domain error without details has no metadata', () => {
    const rendered = render(new DomainError('forbidden', 'A user cannot delete itself.'), apiVersions[0], 'request-1');
    assert.equal(
      JSON.stringify(rendered.body),
      '{"status":403,"message":"A user cannot delete itself.","key":"forbidden"}',
    );
  });
});

describe('domain errors thrown by services, over HTTP', () => {
  let server: TestFerry;
  before(async () => {
    server = await startFerry('sqlite');
  });
  after(() => server.close());

  // Each body is what the service's ApiError produced before services had a vocabulary of their own.
  const cases = [
    {
      what: 'not found (connections service)',
      method: 'GET',
      path: '/api/connections/6f1f2b0e-3d5c-4c1e-9a61-3b0f6f1b2c3d',
      body: undefined,
      status: 404,
      text: '{"status":404,"message":"connection not found","key":"not_found"}',
    },
    {
      what: 'an unprocessable field (connections service)',
      method: 'POST',
      path: '/api/connections',
      body: { name: 'x', type: 'nope', configuration: {} },
      status: 422,
      text: '{"status":422,"message":"type: unknown connection type \\"nope\\"; GET /api/connection_types lists them","key":"unprocessable","metadata":{"field":"type"}}',
    },
  ];

  for (const { what, method, path, body, status, text } of cases) {
    test(`${what}: the same bytes in every version`, async () => {
      for (const version of apiVersions) {
        const response = await call(server.url, method, path, { key: server.apiKey, version, body });
        assert.equal(response.status, status, `${version}: ${response.text}`);
        assert.equal(response.text, text, version);
      }
    });
  }
});
