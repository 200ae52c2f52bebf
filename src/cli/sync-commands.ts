// The commands that drive syncs over the HTTP API: `ferry syncs …`, `ferry bulk-syncs …` and `ferry executions …`.
// They need no database access, only FERRY_URL (default http://localhost:8080) and FERRY_API_KEY, or --url and
// --api-key, so they work against a remote Ferry as well as a local one.
import type { Command } from 'commander';
import { CliError, createApiClient, type ApiClient } from './api-client.ts';
import { count, dataOf, idOf, listOf, nextPageToken, objectOf, syncSummaryOf, text } from './api-wire.ts';
import { followExecution } from './follow-execution.ts';
import { printConsoleLog } from './follow-console-log.ts';
import { type CliSyncKind, resolveExecution, resolveSync, syncPaths } from './sync-kinds.ts';
import { printTable } from './table.ts';

const defaultFerryUrl = 'http://localhost:8080';

interface ApiOptions {
  url?: string;
  apiKey?: string;
  json?: boolean;
  follow?: boolean;
  interval?: string;
  limit?: string;
}

function withApiOptions(command: Command): Command {
  return command
    .option('--url <url>', `Ferry's base URL (env FERRY_URL, default ${defaultFerryUrl})`)
    .option('--api-key <key>', 'an organization or user API key (env FERRY_API_KEY)');
}

function clientOf(options: ApiOptions): ApiClient {
  const apiKey = options.apiKey ?? process.env.FERRY_API_KEY;
  if (!apiKey) throw new CliError('an API key is needed: set FERRY_API_KEY or pass --api-key');
  return createApiClient({ url: options.url ?? process.env.FERRY_URL ?? defaultFerryUrl, apiKey });
}

function intervalOf(options: ApiOptions): number {
  const ms = Number(options.interval ?? 1000);
  if (!Number.isInteger(ms) || ms < 50) throw new CliError('--interval must be an integer of at least 50 (ms)');
  return ms;
}

/** Runs a command body; its number is the exit code. */
function exitWith(work: () => Promise<number | undefined>): Promise<void> {
  return work().then((code) => {
    process.exitCode = code ?? 0;
  });
}

async function listModelSyncs(client: ApiClient): Promise<Record<string, unknown>[]> {
  const syncs: Record<string, unknown>[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.get(
      `/api/syncs?limit=50${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`,
    );
    syncs.push(...listOf(page));
    pageToken = nextPageToken(page);
  } while (pageToken);
  return syncs;
}

function executionRows(kind: CliSyncKind, executions: Record<string, unknown>[]): string[][] {
  return executions.map((execution) => [
    text(execution.id),
    text(execution.status),
    text(execution.type),
    String(kind === 'bulk' ? count(execution.record_count) : count(objectOf(execution.counts).total)),
    text(execution.created_at),
    text(execution.started_at),
    text(execution.completed_at),
  ]);
}

async function startAndMaybeFollow(kind: CliSyncKind, syncId: string, options: ApiOptions): Promise<number> {
  const client = clientOf(options);
  const interval = options.follow ? intervalOf(options) : 0;
  const executionId = idOf(dataOf(await client.post(syncPaths[kind].executions(syncId), {})), 'execution');
  process.stderr.write(`started execution ${executionId}\n`);
  if (!options.follow) {
    process.stdout.write(`${executionId}\n`);
    return 0;
  }
  return followExecution({
    client,
    kind,
    syncId,
    executionId,
    intervalMs: interval,
    output: process.stdout,
    input: process.stdin,
    interactive: Boolean(process.stdout.isTTY && process.stdin.isTTY),
  });
}

export function registerSyncCommands(program: Command): void {
  const syncs = program.command('syncs').description('model syncs (reverse ETL), through the HTTP API');
  withApiOptions(
    syncs.command('list').description('list model syncs').option('--json', 'print the API objects'),
  ).action((options: ApiOptions) =>
    exitWith(async () => {
      const rows = await listModelSyncs(clientOf(options));
      if (options.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      printTable(
        process.stdout,
        ['ID', 'NAME', 'ACTIVE', 'MODE', 'SCHEDULE', 'TARGET'],
        rows
          .map(syncSummaryOf)
          .map((sync) => [sync.id, sync.name, sync.active ? 'yes' : 'no', sync.mode, sync.frequency, sync.target]),
      );
    }),
  );
  withApiOptions(
    syncs
      .command('run')
      .description(
        'start a model sync; with --follow, show its progress until it ends (exit 0 completed, 1 failed, 2 canceled)',
      )
      .argument('<sync>', 'model sync id')
      .option('--follow', 'follow the execution to its end')
      .option('--interval <ms>', 'how often --follow asks for progress', '1000'),
  ).action((syncId: string, options: ApiOptions) => exitWith(() => startAndMaybeFollow('model', syncId, options)));

  const bulk = program.command('bulk-syncs').description('bulk syncs (ELT), through the HTTP API');
  withApiOptions(bulk.command('list').description('list bulk syncs').option('--json', 'print the API objects')).action(
    (options: ApiOptions) =>
      exitWith(async () => {
        const rows = listOf(await clientOf(options).get(syncPaths.bulk.list));
        if (options.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        printTable(
          process.stdout,
          ['ID', 'NAME', 'ACTIVE', 'MODE', 'SCHEDULE'],
          rows
            .map(syncSummaryOf)
            .map((sync) => [sync.id, sync.name, sync.active ? 'yes' : 'no', sync.mode, sync.frequency]),
        );
      }),
  );
  withApiOptions(
    bulk
      .command('run')
      .description(
        'start a bulk sync; with --follow, show its progress until it ends (exit 0 completed, 1 failed, 2 canceled)',
      )
      .argument('<sync>', 'bulk sync id')
      .option('--follow', 'follow the execution to its end')
      .option('--interval <ms>', 'how often --follow asks for progress', '1000'),
  ).action((syncId: string, options: ApiOptions) => exitWith(() => startAndMaybeFollow('bulk', syncId, options)));

  const executions = program.command('executions').description('executions of model syncs and bulk syncs');
  withApiOptions(
    executions
      .command('list')
      .description('list the executions of a sync or bulk sync, newest first')
      .argument('<sync>', 'model sync or bulk sync id')
      .option('--limit <n>', 'at most this many', '20')
      .option('--json', 'print the API objects'),
  ).action((syncId: string, options: ApiOptions) =>
    exitWith(async () => {
      const client = clientOf(options);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new CliError('--limit must be from 1 to 50');
      const kind = await resolveSync(client, syncId);
      const rows = listOf(await client.get(`${syncPaths[kind].executions(syncId)}?limit=${limit}`));
      if (options.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      printTable(
        process.stdout,
        ['ID', 'STATUS', 'TYPE', 'ROWS', 'CREATED', 'STARTED', 'COMPLETED'],
        executionRows(kind, rows),
      );
    }),
  );
  withApiOptions(
    executions
      .command('logs')
      .description("print an execution's console log; with --follow, until the execution ends")
      .argument('<execution>', 'execution id (of a model sync or a bulk sync)')
      .option('--follow', 'keep printing new lines until the execution ends; exit as run --follow does')
      .option('--interval <ms>', 'how often --follow asks for new lines', '1000'),
  ).action((executionId: string, options: ApiOptions) =>
    exitWith(async () => {
      const client = clientOf(options);
      const interval = intervalOf(options);
      const { kind, syncId } = await resolveExecution(client, executionId);
      return printConsoleLog({
        client,
        kind,
        syncId,
        executionId,
        follow: Boolean(options.follow),
        intervalMs: interval,
        output: process.stdout,
      });
    }),
  );
}
