// Where a model-sync execution's record logs live: one directory per execution under the data dir. The worker
// writes them (createGzipRecordLogWriter) and the API serves them (readRecordLogFile). A scaled-out installation
// with workers on several machines must give them one shared FERRY_DATA_DIR volume for the logs (docs/model-syncs.md).
import { join } from 'node:path';

/** The directory of every record log of one sync (removed with the sync). */
export function modelSyncRecordLogsRoot(dataDir: string, syncId: string): string {
  return join(dataDir, 'record-logs', 'model-syncs', syncId);
}

export function modelSyncRecordLogDirectory(dataDir: string, syncId: string, executionId: string): string {
  return join(modelSyncRecordLogsRoot(dataDir, syncId), executionId);
}
