#!/usr/bin/env node
// Runs every bench/*.bench.ts through tsx, one after another (benchmarks must not compete for the cores).
// Extra arguments narrow the run to files whose name contains one of them: `npm run bench -- api`.
// A benchmark that misses a goal still exits 0; this script exits non-zero only when a benchmark crashed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
let files = readdirSync('bench')
  .filter((name) => name.endsWith('.bench.ts'))
  .sort()
  .map((name) => join('bench', name));
if (filters.length > 0) files = files.filter((file) => filters.some((filter) => file.includes(filter)));
if (files.length === 0) {
  console.error(`no benchmark matched ${filters.length > 0 ? filters.join(', ') : 'bench/*.bench.ts'}`);
  process.exit(1);
}

const failed = [];
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) {
    failed.push(file);
    console.log(`=== ${file} crashed (exit ${result.status ?? result.signal}) after ${seconds} s ===`);
  } else {
    console.log(`=== ${file} done in ${seconds} s ===`);
  }
}
if (failed.length > 0) {
  console.error(`\n${failed.length} of ${files.length} benchmarks crashed: ${failed.join(', ')}`);
  process.exit(1);
}
