// The generated docs must match the code they describe. Run `npm run docs` after changing either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { versionChanges } from '../../src/api/versioning/changes/index.ts';
import { errorCodes } from '../../src/api/errors.ts';
import { renderErrorsDoc } from '../../src/docs/errors-doc.ts';
import { renderVersionsDoc } from '../../src/docs/versions-doc.ts';

test('docs/errors.md lists every error code with its status', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  assert.equal(doc, renderErrorsDoc(), 'docs/errors.md is stale: run npm run docs');
  for (const [code, { status }] of Object.entries(errorCodes))
    assert.ok(doc.includes(`| \`${code}\` | ${status} |`), code);
});

test('docs/versions.md describes every version change', () => {
  const doc = readFileSync('docs/versions.md', 'utf8');
  assert.equal(doc, renderVersionsDoc(versionChanges), 'docs/versions.md is stale: run npm run docs');
  for (const change of versionChanges) assert.ok(doc.includes(`## ${change.version}`));
});
