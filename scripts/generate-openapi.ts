// npm run openapi: writes the OpenAPI document of every API version to openapi/, as GET /api/openapi.json serves
// them (the routes of a Ferry on a scratch SQLite data dir). Review the diff: it is every change of the documented wire.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createFerry } from '../src/ferry.ts';
import { createLogger } from '../src/logger.ts';
import { openApiSnapshotPath, openApiSnapshotText } from '../src/api/versioning/openapi-snapshot.ts';
import { apiVersions } from '../src/api/versioning/versions.ts';
import { buildOpenApiDocument } from '../src/api/versioning/openapi.ts';
import { versionChanges } from '../src/api/versioning/changes/index.ts';
import { allRoutes } from '../src/api/routes.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ferry-openapi-'));
try {
  const config = loadConfig({ FERRY_DATA_DIR: dataDir, FERRY_SCHEDULER: 'false' }, { worker: false });
  const ferry = await createFerry(config, { log: createLogger('silent') });
  try {
    mkdirSync('openapi', { recursive: true });
    for (const version of apiVersions) {
      const document = buildOpenApiDocument(allRoutes(ferry.context), versionChanges, version);
      writeFileSync(openApiSnapshotPath(version), openApiSnapshotText(document));
    }
  } finally {
    await ferry.close();
  }
  console.log(`wrote ${apiVersions.map(openApiSnapshotPath).join(', ')}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
