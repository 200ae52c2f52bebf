// The `files` connection type: a local directory of CSV, JSON Lines or Parquet files, one file per
// schema. Opening is free; test() checks the directory can be listed.
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { Capability, type Connection, type Connector } from '../connector.ts';
import { ConnectorError, errorMessage } from '../connector-error.ts';
import { createCsvFormat } from './csv-format.ts';
import type { FileFormat } from './file-format.ts';
import {
  type FilesConfiguration,
  filesConfigurationSchema,
  validateFilesConfiguration,
} from './files-configuration.ts';
import { createFilesDestination } from './files-destination.ts';
import { classifyFileError } from './files-errors.ts';
import { createFilesSource } from './files-source.ts';
import { createFilesTableStore } from './files-table-store.ts';
import { createFilesTarget } from './files-target.ts';
import { createJsonlFormat } from './jsonl-format.ts';
import { createParquetFormat } from './parquet-format.ts';

function formatFor(configuration: FilesConfiguration): FileFormat {
  switch (configuration.format) {
    case 'jsonl':
      return createJsonlFormat();
    case 'parquet':
      return createParquetFormat();
    default:
      return createCsvFormat({ hasHeaders: configuration.has_headers, delimiter: configuration.delimiter });
  }
}

export function createFilesConnector(): Connector<FilesConfiguration> {
  const connector: Connector<FilesConfiguration> = {
    type: 'files',
    name: 'Files (CSV, JSON Lines, Parquet)',
    configurationSchema: filesConfigurationSchema,
    capabilities: [Capability.bulkSource, Capability.bulkDestination, Capability.modelTarget],
    // A table is a file: a plain file name (isPlainSchemaId), short enough for the extension and the sidecar's
    // `.json` within the 255 bytes file systems allow.
    identifierRules: {
      maxBytes: 200,
      refused: [
        { pattern: /[/\\]/, reason: 'must not contain "/" or "\\" (a table is one file)' },
        { pattern: /^\./, reason: 'must not start with "."' },
      ],
    },
    validate: validateFilesConfiguration,
    open(configuration) {
      const checked = connector.validate(configuration);
      if (!checked.ok)
        throw new ConnectorError(checked.message, { code: 'invalid_configuration', field: checked.field });
      return openFilesConnection(checked.value);
    },
  };
  return connector;
}

async function testDirectory(path: string): Promise<ConnectorError | undefined> {
  try {
    if (!(await stat(path)).isDirectory()) {
      return new ConnectorError(`${path} is a file, not a directory; set path to the directory that holds the files`, {
        code: 'invalid_configuration',
        field: 'path',
      });
    }
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return new ConnectorError(`The directory ${path} does not exist`, { code: 'database_missing', cause: error });
    }
    return classifyFileError(error, `Cannot open the directory ${path}`);
  }
  try {
    await access(path, constants.R_OK | constants.X_OK);
    await readdir(path);
  } catch (error: unknown) {
    return new ConnectorError(`Cannot read the directory ${path}: permission denied (${errorMessage(error)})`, {
      code: 'permission_denied',
      cause: error,
    });
  }
  return undefined;
}

function openFilesConnection(configuration: FilesConfiguration): Connection {
  const format = formatFor(configuration);
  const store = createFilesTableStore(configuration.path, format);
  return {
    type: 'files',
    async test() {
      const failure = await testDirectory(configuration.path);
      return failure ? { ok: false, code: failure.code, message: failure.message } : { ok: true };
    },
    // Every read and write opens and closes its own file handles; there is nothing pooled to release.
    async close() {},
    bulkSource: createFilesSource(store),
    bulkDestination: createFilesDestination(store, format.preferredAppendRows),
    modelTarget: createFilesTarget(store),
  };
}
