// npm run docs: regenerates the docs that are derived from code.
import { writeFileSync } from 'node:fs';
import { versionChanges } from '../src/api/versioning/changes/index.ts';
import { renderErrorsDoc } from '../src/docs/errors-doc.ts';
import { renderVersionsDoc } from '../src/docs/versions-doc.ts';

writeFileSync('docs/versions.md', renderVersionsDoc(versionChanges));
writeFileSync('docs/errors.md', renderErrorsDoc());
console.log('wrote docs/versions.md and docs/errors.md');
