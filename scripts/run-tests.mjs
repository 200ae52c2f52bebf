#!/usr/bin/env node
// Runs every test file under test/ with node:test through tsx.
// Node 20's --test does not expand globs or find .ts files, so the list is built here.
// FERRY_TEST_ORDER=reverse runs the files in reverse order: tests must not depend on order.
// Extra arguments narrow the run to files whose path contains one of them.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(relative(process.cwd(), path));
  }
  return found;
}

const filters = process.argv.slice(2);
let files = findTests('test').sort();
if (filters.length > 0) files = files.filter((file) => filters.some((filter) => file.includes(filter)));
if (process.env.FERRY_TEST_ORDER === 'reverse') files.reverse();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.FERRY_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
