// `run --follow`: polls the execution until it ends and shows its progress. Ctrl-C on a terminal asks whether to
// cancel the run (no: keep following; a second Ctrl-C while asked: stop following and leave the run going). Without
// a terminal nobody can answer, so the first SIGINT requests the cancel and the follow waits for the run to end
// (a script that interrupts the command wants the work stopped); a second SIGINT stops following at once.
import { createInterface, type Interface } from 'node:readline';
import { type Clock, systemClock } from '../domain/clock.ts';
import type { ApiClient } from './api-client.ts';
import { dataOf } from './api-wire.ts';
import {
  exitCodeFor,
  isTerminal,
  plainLine,
  progressLine,
  snapshotOf,
  summaryLine,
  type ExecutionSnapshot,
} from './execution-progress.ts';
import { type CliSyncKind, syncPaths } from './sync-kinds.ts';

/** Exit code when the user stops following and the execution goes on (128 + SIGINT, as shells report it). */
const detachedExitCode = 130;

export interface FollowOptions {
  client: ApiClient;
  kind: CliSyncKind;
  syncId: string;
  executionId: string;
  /** Time between polls. */
  intervalMs: number;
  /** Without a terminal, a progress line at most this often (and at every status change). */
  plainEveryMs?: number;
  output: NodeJS.WritableStream;
  input: NodeJS.ReadableStream;
  /** A terminal on both ends: redrawn progress and the Ctrl-C question. */
  interactive: boolean;
  clock?: Clock;
  /** Where SIGINT comes from; the process by default. */
  signals?: NodeJS.EventEmitter;
}

const eraseLine = '\r\x1b[2K';

export async function followExecution(options: FollowOptions): Promise<number> {
  const { client, kind, syncId, executionId, output, interactive } = options;
  const clock = options.clock ?? systemClock;
  const signals = options.signals ?? process;
  const plainEveryMs = options.plainEveryMs ?? 5_000;
  const executionPath = syncPaths[kind].execution(syncId, executionId);
  const startedAt = clock.nowMs();
  const elapsed = () => (clock.nowMs() - startedAt) / 1000;

  let asking: Interface | undefined;
  let cancelRequested = false;
  let detached = false;
  let wake: (() => void) | undefined;
  let lastShown = '';

  const stopFollowing = () => {
    detached = true;
    asking?.close();
    asking = undefined;
    output.write(
      `${interactive ? eraseLine : ''}stopped following; execution ${executionId} goes on (ferry executions logs ${executionId} --follow)\n`,
    );
    wake?.();
  };
  const requestCancel = async () => {
    cancelRequested = true;
    output.write(`${interactive ? eraseLine : ''}canceling execution ${executionId}\n`);
    try {
      await client.post(syncPaths[kind].cancel(syncId, executionId));
    } catch (error) {
      output.write(`cancel failed: ${(error as Error).message}\n`);
      cancelRequested = false;
    }
    wake?.();
  };
  const onInterrupt = () => {
    if (detached) return;
    if (asking || cancelRequested) return stopFollowing();
    if (!interactive) return void requestCancel();
    output.write(eraseLine);
    asking = createInterface({ input: options.input, output, terminal: true });
    asking.on('SIGINT', stopFollowing);
    asking.question(`Cancel execution ${executionId}? [y/N] `, (answer) => {
      asking?.close();
      asking = undefined;
      if (/^y(es)?$/i.test(answer.trim())) void requestCancel();
      else output.write('still following (Ctrl-C again to be asked again)\n');
    });
  };
  signals.on('SIGINT', onInterrupt);

  let snapshot: ExecutionSnapshot | undefined;
  let rate = 0;
  let previous: { rows: number; atMs: number } | undefined;
  let lastPlain: { status: string; atMs: number } | undefined;
  let tick = 0;
  try {
    for (;;) {
      const execution = dataOf(await client.get(executionPath));
      if (detached) return detachedExitCode;
      snapshot = snapshotOf(kind, execution);
      const now = clock.nowMs();
      if (!previous) {
        rate = elapsed() > 0 ? snapshot.rows / elapsed() : 0;
      } else if (now > previous.atMs) {
        // Smoothed: progress arrives in batches, so one poll's rate alone jumps between zero and a burst.
        const instant = ((snapshot.rows - previous.rows) * 1000) / (now - previous.atMs);
        rate = 0.5 * rate + 0.5 * instant;
      }
      previous = { rows: snapshot.rows, atMs: now };
      if (isTerminal(snapshot.status)) break;
      if (interactive) {
        if (!asking) {
          lastShown = progressLine(snapshot, rate, elapsed(), tick++);
          output.write(eraseLine + lastShown);
        }
      } else if (!lastPlain || lastPlain.status !== snapshot.status || now - lastPlain.atMs >= plainEveryMs) {
        output.write(`${plainLine(snapshot, rate, elapsed(), clock.now())}\n`);
        lastPlain = { status: snapshot.status, atMs: now };
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        clock.setTimeout(resolve, options.intervalMs);
      });
      wake = undefined;
      if (detached) return detachedExitCode;
    }
    output.write(`${interactive && lastShown ? eraseLine : ''}${summaryLine(snapshot, elapsed())}\n`);
    return exitCodeFor(snapshot.status);
  } finally {
    signals.off('SIGINT', onInterrupt);
    asking?.close();
  }
}
