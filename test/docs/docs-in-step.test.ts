// The generated docs must match the code they describe. Run `npm run docs` after changing either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { versionChanges } from '../../src/api/versioning/changes/index.ts';
import { domainErrorCodes } from '../../src/api/domain-error-mapping.ts';
import { errorCodes } from '../../src/api/errors.ts';
import { renderErrorsDoc } from '../../src/docs/errors-doc.ts';
import { renderVersionsDoc } from '../../src/docs/versions-doc.ts';

test('docs/errors.md lists every error code with its status, and every domain error kind with its key', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  assert.equal(doc, renderErrorsDoc(), 'docs/errors.md is stale: run npm run docs');
  for (const [code, { status }] of Object.entries(errorCodes))
    assert.match(doc, new RegExp(`^\\| \`${code}\` +\\| ${status} +\\|`, 'm'), code);
  for (const [kind, code] of Object.entries(domainErrorCodes))
    assert.match(doc, new RegExp(`^\\| \`${kind}\` +\\| \`${code}\` +\\| ${errorCodes[code].status} +\\|`, 'm'), kind);
});

test('docs/versions.md describes every version change', () => {
  const doc = readFileSync('docs/versions.md', 'utf8');
  assert.equal(doc, renderVersionsDoc(versionChanges), 'docs/versions.md is stale: run npm run docs');
  for (const change of versionChanges) assert.ok(doc.includes(`## ${change.version}`));
});
