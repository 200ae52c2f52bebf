// Where a model-sync execution's record logs live: one directory per execution under the data dir. The worker
// writes them (createGzipRecordLogWriter) and the API serves them (readRecordLogFile). A scaled-out installation
// with workers on several machines must give them one shared FERRY_DATA_DIR volume for the logs (docs/model-syncs.md).
import { join } from 'node:path';

export function modelSyncRecordLogDirectory(dataDir: string, syncId: string, executionId: string): string {
  return join(dataDir, 'record-logs', 'model-syncs', syncId, executionId);
}
