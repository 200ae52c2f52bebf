// The per-row decision of every mode, as a table: new key, unchanged, changed, with the run options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type Candidate } from '../../../src/engine/model-sync/batch-classifier.ts';
import { modeRules } from '../../../src/engine/model-sync/mode-rules.ts';
import type { SyncMode } from '../../../src/engine/model-sync/model-sync-plan.ts';

const candidate = (stored: 'none' | 'same' | 'different'): Candidate => ({
  key: 'k',
  hash: 'h1',
  record: { email: 'k' },
  identity: { email: 'k' },
  previous: stored === 'none' ? 'none' : stored === 'same' ? 'same' : 'changed',
});

const label = (decision: ReturnType<typeof decide>) => (decision.kind === 'send' ? decision.operation : decision.kind);

test('each mode decides new, unchanged and changed rows as docs/model-sync-engine.md says', () => {
  const expected: Record<SyncMode, [string, string, string]> = {
    create: ['insert', 'unchanged', 'left_alone'],
    update: ['update', 'unchanged', 'update'],
    updateOrCreate: ['upsert', 'unchanged', 'upsert'],
    replace: ['upsert', 'unchanged', 'upsert'],
    append: ['insert', 'unchanged', 'left_alone'],
    remove: ['delete', 'unchanged', 'left_alone'],
    snapshot: ['insert', 'insert', 'insert'],
  };
  for (const [mode, [fresh, same, different]] of Object.entries(expected) as [SyncMode, [string, string, string]][]) {
    const options = { rule: modeRules[mode], backfillOnly: false, syncAllRecords: false };
    assert.deepEqual(
      [
        label(decide(candidate('none'), options)),
        label(decide(candidate('same'), options)),
        label(decide(candidate('different'), options)),
      ],
      [fresh, same, different],
      mode,
    );
  }
});

test('sync_all_records sends stored rows too; a skipped backfill records without sending', () => {
  const forced = (mode: SyncMode) =>
    label(decide(candidate('same'), { rule: modeRules[mode], backfillOnly: false, syncAllRecords: true }));
  assert.equal(forced('updateOrCreate'), 'upsert');
  assert.equal(forced('create'), 'insert');
  assert.equal(forced('remove'), 'delete');
  for (const mode of ['create', 'update', 'updateOrCreate', 'replace', 'append', 'remove'] as SyncMode[]) {
    const options = { rule: modeRules[mode], backfillOnly: true, syncAllRecords: true };
    assert.equal(label(decide(candidate('none'), options)), 'record_only', mode);
    assert.equal(label(decide(candidate('same'), options)), 'unchanged', mode);
    assert.equal(label(decide(candidate('different'), options)), 'record_only', mode);
  }
});
