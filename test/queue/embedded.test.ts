// The shared JobQueue suite on the embedded adapter: a SQLite file in a temp dir, opened like the metadata database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJobQueueCases } from './job-queue.case.ts';
import { openQueueForProcess, type ProcessQueue } from './queue-for-process.ts';

runJobQueueCases({
  name: 'embedded SQLite',
  leaseMs: 1_500,
  unavailable: async () => undefined,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-queue-'));
    const path = join(dir, 'ferry.db');
    const opened: ProcessQueue[] = [await openQueueForProcess('embedded', path)];
    return {
      db: opened[0]!.db,
      queue: opened[0]!.queue,
      async openAnother() {
        const another = await openQueueForProcess('embedded', path);
        opened.push(another);
        return another.queue;
      },
      vanishingWorkerArgs: ['embedded', path],
      async dispose() {
        for (const each of opened.reverse()) await each.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
