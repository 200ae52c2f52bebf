// The files connector: the shared conformance suite once per format, then file-specific cases
// (test/connectors/files/files-cases.ts).
import { test } from 'node:test';
import { runConnectorConformance } from './conformance/conformance-suite.ts';
import { fileHarness } from './files/files-harness.ts';
import './files/files-cases.ts';

for (const format of ['csv', 'jsonl', 'parquet'] as const) await runConnectorConformance(fileHarness(format));

test('conformance model-sync cases', {
  skip: 'files have no keys or NOT NULL constraints: the target only inserts (appends); files-cases.ts tests it',
}, () => {});
