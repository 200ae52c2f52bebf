// File-system errors in Ferry's terms, keyed by Node's errno code (the table style of
// postgres-errors.ts): what a missing, locked or full disk means for a sync and whether to retry.
import { ConnectorError, type ErrorClass, fromErrorClass, socketErrorCode } from '../connector-error.ts';

const fileErrorTable: Readonly<Record<string, ErrorClass>> = {
  ENOENT: { code: 'object_missing', retryable: false, summary: 'No such file or directory' },
  ENOTDIR: { code: 'invalid_configuration', retryable: false, summary: 'A part of the path is not a directory' },
  EISDIR: { code: 'invalid_configuration', retryable: false, summary: 'Expected a file but found a directory' },
  EACCES: { code: 'permission_denied', retryable: false, summary: 'Permission denied' },
  EPERM: { code: 'permission_denied', retryable: false, summary: 'Operation not permitted' },
  EROFS: { code: 'permission_denied', retryable: false, summary: 'The file system is read-only' },
  ENOSPC: { code: 'resource_exhausted', retryable: true, summary: 'No space left on the device' },
  EDQUOT: { code: 'resource_exhausted', retryable: true, summary: 'Disk quota exceeded' },
  EMFILE: { code: 'transient', retryable: true, summary: 'Too many open files in this process' },
  ENFILE: { code: 'transient', retryable: true, summary: 'Too many open files on this machine' },
  EBUSY: { code: 'transient', retryable: true, summary: 'The file is busy' },
  EIO: { code: 'transient', retryable: true, summary: 'Input/output error' },
};

export function classifyFileError(error: unknown, context?: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const code = socketErrorCode(error);
  return fromErrorClass(error, code ? fileErrorTable[code] : undefined, context);
}
