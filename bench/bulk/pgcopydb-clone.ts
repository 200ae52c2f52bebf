// The peer the issue compares with: pgcopydb (Debian's package) cloning the source database into a fresh one, as a
// user would run it (`pgcopydb clone --table-jobs 2 --index-jobs 2`): schema, data, then the indexes and the key.
// Measured only when pgcopydb is on the PATH; the figure is the whole clone's wall time.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScratchDatabase } from '../../test/kit/services.ts';

export function pgcopydbAvailable(): boolean {
  return spawnSync('pgcopydb', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Seconds pgcopydb takes to clone `source` into the empty `target`. */
export async function pgcopydbClone(source: ScratchDatabase, target: ScratchDatabase): Promise<number> {
  const workDirectory = mkdtempSync(join(tmpdir(), 'ferry-bench-pgcopydb-'));
  try {
    const started = performance.now();
    const child = spawn(
      'pgcopydb',
      [
        'clone',
        '--source',
        source.url,
        '--target',
        target.url,
        '--table-jobs',
        '2',
        '--index-jobs',
        '2',
        '--dir',
        workDirectory,
        '--no-owner',
        '--no-acl',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`pgcopydb clone failed (${code}): ${errors}`);
    return (performance.now() - started) / 1000;
  } finally {
    rmSync(workDirectory, { recursive: true, force: true });
  }
}
