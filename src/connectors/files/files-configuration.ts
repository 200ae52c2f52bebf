// Configuration of the `files` connection type: a local directory holding one file per schema, all
// in one format. Defaults live here because this schema is what the API serves and validates.
import type { ConfigurationSchema, ValidationResult } from '../configuration-schema.ts';
import { validateConfiguration } from '../configuration-schema.ts';

const FileFormatName = { csv: 'csv', jsonl: 'jsonl', parquet: 'parquet' } as const;
type FileFormatName = (typeof FileFormatName)[keyof typeof FileFormatName];

export interface FilesConfiguration {
  path: string;
  format: FileFormatName;
  has_headers: boolean;
  delimiter: string;
}

export const filesConfigurationSchema: ConfigurationSchema = {
  type: 'object',
  properties: {
    path: { type: 'string', title: 'Directory', description: 'Local directory holding one file per schema' },
    format: { type: 'string', title: 'Format', description: 'csv, jsonl or parquet', default: 'csv' },
    has_headers: {
      type: 'boolean',
      title: 'Header row',
      description: 'CSV only: the first line names the columns',
      default: true,
    },
    delimiter: {
      type: 'string',
      title: 'Delimiter',
      description: 'CSV only: one character between values',
      default: ',',
    },
  },
  required: ['path'],
};

export function validateFilesConfiguration(raw: unknown): ValidationResult<FilesConfiguration> {
  const checked = validateConfiguration<FilesConfiguration>(filesConfigurationSchema, raw);
  if (!checked.ok) return checked;
  const { format, delimiter } = checked.value;
  if (!Object.values(FileFormatName).includes(format)) {
    return { ok: false, field: 'format', message: `format must be one of ${Object.values(FileFormatName).join(', ')}` };
  }
  // csv-parse accepts longer delimiters, but one character is what every spreadsheet exports; quotes
  // and line breaks would make the file ambiguous.
  if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
    return {
      ok: false,
      field: 'delimiter',
      message: 'delimiter must be one character other than a quote or a line break',
    };
  }
  return checked;
}
