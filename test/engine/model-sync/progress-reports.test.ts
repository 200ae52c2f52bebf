// Progress reports (progress-reports.ts): the batches never wait for the execution-row update, one runs at a time, the
// latest counts replace a waiting report, reports are spaced by an interval, and settle sends and waits for the last
// one and throws a failure.
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

test('reports are spaced by the interval: one within it waits, replaced by later ones, until a report after it or settle', async () => {
  let clock = 1_000;
  const seen: number[] = [];
  const reports = createProgressReports(async (given) => void seen.push(given.total), {
    intervalMs: 100,
    nowMs: () => clock,
  });
  reports.report(counts(1));
  await new Promise((resolve) => setImmediate(resolve));
  clock += 50;
  reports.report(counts(2));
  reports.report(counts(3));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, [1], 'within 100 ms of the first, the others wait');
  clock += 50;
  reports.report(counts(4));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, [1, 4], 'the first report after the interval goes, with the latest counts');
  clock += 10;
  reports.report(counts(5));
  await reports.settle();
  assert.deepEqual(seen, [1, 4, 5], 'settle sends the one waiting');
  await reports.settle();
  assert.deepEqual(seen, [1, 4, 5], 'and only once');
});

test('an update that outlasts the interval: the report waiting goes as soon as it ends', async () => {
  let clock = 0;
  const seen: number[] = [];
  const releases: Array<() => void> = [];
  const reports = createProgressReports(
    async (given) => {
      seen.push(given.total);
      await new Promise<void>((resolve) => releases.push(resolve));
    },
    { intervalMs: 100, nowMs: () => clock },
  );
  reports.report(counts(1));
  reports.report(counts(2));
  clock += 150;
  releases.shift()!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, [1, 2]);
  releases.shift()!();
  await reports.settle();
});

test('a report whose delivered counts moved does not wait for the interval: a retried attempt adds up what the row holds', async () => {
  const clock = 0;
  const seen: Array<[number, number]> = [];
  const reports = createProgressReports(async (given) => void seen.push([given.total, given.insert]), {
    intervalMs: 100,
    nowMs: () => clock,
  });
  reports.report(counts(1));
  await new Promise((resolve) => setImmediate(resolve));
  reports.report(counts(2));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, [[1, 0]], 'only the total moved: it waits');
  reports.report({ ...counts(3), insert: 2 });
  await new Promise((resolve) => setImmediate(resolve));
  await reports.settle();
  assert.deepEqual(
    seen,
    [
      [1, 0],
      [3, 2],
    ],
    'the report of 2, older, was dropped rather than sent after it',
  );
});
