// Signed, expiring links to a model-sync execution's record-log files. The link is the credential (the spec calls
// them signed URLs): the token binds organization, sync, execution, type and file name, so a link opens exactly one
// file and an edited path or token is refused. HMAC via TokenSigner, so every process of an installation accepts it.
import type { ExecutionLogType } from '../engine/record-logs/record-log.ts';
import type { TokenSigner } from './signed-tokens.ts';

/** The TokenSigner purpose; a token of another kind of link never verifies here. */
export const recordLogLinkPurpose = 'model-sync-record-log';

/** How long a link works: 1 hour, like bulk execution log links. */
export const recordLogLinkTtlMs = 60 * 60 * 1000;

/** The query parameter carrying the token. */
export const recordLogTokenParameter = 'token';

interface RecordLogFileRef {
  organizationId: string;
  syncId: string;
  executionId: string;
  type: ExecutionLogType;
  filename: string;
}

export interface RecordLogLinksOptions {
  signer: TokenSigner;
  /** The installation's public base URL without a trailing slash, read per link: config.publicUrl follows the
   * listening port when it is not set explicitly. */
  publicUrl: () => string;
}

export interface RecordLogLinks {
  /** One signed URL per file, all expiring at the same instant. */
  sign(files: RecordLogFileRef[]): { expires: string; urls: string[] };
  /** The organization the link was issued in, when the token is genuine, unexpired and names exactly this file. */
  verify(token: string | undefined, file: Omit<RecordLogFileRef, 'organizationId'>): string | undefined;
}

/** The path of a log file, as served by GET /api/syncs/{sync_id}/executions/{id}/{type}/{filename}. */
function recordLogFilePath(file: Pick<RecordLogFileRef, 'syncId' | 'executionId' | 'type' | 'filename'>): string {
  return `/api/syncs/${encodeURIComponent(file.syncId)}/executions/${encodeURIComponent(file.executionId)}/${file.type}/${encodeURIComponent(file.filename)}`;
}

function claims(file: RecordLogFileRef) {
  return {
    organization_id: file.organizationId,
    sync_id: file.syncId,
    execution_id: file.executionId,
    type: file.type,
    filename: file.filename,
  };
}

export function createRecordLogLinks(options: RecordLogLinksOptions): RecordLogLinks {
  return {
    sign(files) {
      const issuedAt = Date.now();
      const urls = files.map((file) => {
        const token = options.signer.sign(claims(file), recordLogLinkTtlMs, issuedAt);
        return `${options.publicUrl()}${recordLogFilePath(file)}?${recordLogTokenParameter}=${token}`;
      });
      return { expires: new Date(issuedAt + recordLogLinkTtlMs).toISOString(), urls };
    },
    verify(token, file) {
      if (!token) return undefined;
      const payload = options.signer.verify<Record<string, unknown>>(token);
      if (!payload || typeof payload.organization_id !== 'string') return undefined;
      const expected = claims({ ...file, organizationId: payload.organization_id });
      return Object.entries(expected).every(([name, value]) => payload[name] === value)
        ? payload.organization_id
        : undefined;
    },
  };
}
