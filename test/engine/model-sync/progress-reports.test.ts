// Progress reports (progress-reports.ts): the batches never wait for the execution-row update, one runs at a time, the
// latest counts replace a waiting report, and settle waits for the last one and throws a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressReports } from '../../../src/engine/model-sync/progress-reports.ts';
import { emptyCounts, type ExecutionCounts } from '../../../src/engine/model-sync/execution-counts.ts';

const counts = (total: number): ExecutionCounts => ({ ...emptyCounts(), total });

test('a slow update does not hold the reports back; the waiting one is replaced by the latest; settle waits for it', async () => {
  const seen: number[] = [];
  const releases: Array<() => void> = [];
  const reports = createProgressReports(async (given) => {
    seen.push(given.total);
    await new Promise<void>((resolve) => releases.push(resolve));
  });
  const current = counts(1);
  reports.report(current);
  current.total = 99; // a copy was taken: the report says what the counts were
  for (const total of [2, 3, 4]) reports.report(counts(total));
  assert.deepEqual(seen, [1], 'one update at a time');
  let settled = false;
  const settling = reports.settle().then(() => (settled = true));
  releases.shift()!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, [1, 4], 'then the latest counts, not the ones between');
  assert.equal(settled, false, 'settle waits for the update running');
  releases.shift()!();
  await settling;
  assert.deepEqual(seen, [1, 4]);
});

test('a failed update fails the next report and settle; drain ignores it', async () => {
  const reports = createProgressReports(async () => {
    throw new Error('the database went away');
  });
  reports.report(counts(1));
  await reports.drain();
  assert.throws(() => reports.report(counts(2)), /went away/);
  await assert.rejects(reports.settle(), /went away/);
  const synchronous = createProgressReports(() => {
    throw new Error('thrown at once');
  });
  synchronous.report(counts(1));
  await assert.rejects(synchronous.settle(), /thrown at once/);
});

test('without onProgress, reports do nothing', async () => {
  const reports = createProgressReports(undefined);
  reports.report(counts(1));
  await reports.settle();
});
