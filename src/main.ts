// The `ferry` command line: serve, worker, migrate, keys (on the database), and syncs, bulk-syncs, executions, mcp
// (over the HTTP API, src/cli and src/mcp).
import { systemClock } from './domain/clock.ts';
import { Command, Option } from 'commander';
import { CliError } from './cli/api-client.ts';
import { registerSyncCommands } from './cli/sync-commands.ts';
import { loadConfig, type ConfigOverrides } from './config.ts';
import type { Ferry } from './ferry.ts';
import type { createRepositories } from './persistence/repositories/index.ts';
import type { ApiKeyKind } from './persistence/schema.ts';

// The server, the database and the engines are loaded by the commands that use them, so that the commands that
// only talk HTTP (src/cli) start in a fraction of the time.
const loadFerry = () => import('./ferry.ts');
const loadPersistence = async () => ({
  ...(await import('./persistence/database.ts')),
  ...(await import('./persistence/migrate.ts')),
  ...(await import('./persistence/repositories/index.ts')),
});

function commonOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'data directory (env FERRY_DATA_DIR, default ./data)')
    .option('--database-url <url>', 'postgres:// URL (env DATABASE_URL; unset means SQLite in the data dir)');
}

function overrides(options: Record<string, unknown>): ConfigOverrides {
  return {
    dataDir: options.dataDir as string | undefined,
    databaseUrl: options.databaseUrl as string | undefined,
    port: options.port as string | undefined,
    host: options.host as string | undefined,
    secretKey: options.secretKey as string | undefined,
    worker: options.worker as boolean | undefined,
    logLevel: options.logLevel as string | undefined,
  };
}

async function withRepositories<T>(
  options: Record<string, unknown>,
  work: (repositories: ReturnType<typeof createRepositories>) => Promise<T>,
): Promise<T> {
  const config = loadConfig(process.env, overrides(options));
  const { openDatabase, migrateToLatest, createRepositories } = await loadPersistence();
  const database = openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    await migrateToLatest(database);
    return await work(createRepositories(database.db, systemClock));
  } finally {
    await database.close();
  }
}

/** SIGINT or SIGTERM close Ferry (in-flight jobs and requests finish first) and exit. */
function closeOnSignals(ferry: Ferry): void {
  const shutdown = (signal: string) => {
    ferry.context.log.info({ signal }, 'shutting down');
    ferry.close().then(
      () => process.exit(0),
      (error) => {
        ferry.context.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

const program = new Command('ferry').description(
  'Ferry: self-hosted data sync, wire-compatible with the Polytomic Connect API',
);

commonOptions(
  program
    .command('serve')
    .description('run the API server (and, unless --no-worker, the in-process worker)')
    .option('--port <port>', 'HTTP port (env PORT, default 8080)')
    .option('--host <host>', 'listen address (env HOST, default 0.0.0.0)')
    .option('--secret-key <key>', 'key for secrets at rest (env FERRY_SECRET_KEY; default: a key file in the data dir)')
    .option('--log-level <level>', 'log level (env LOG_LEVEL, default info)')
    .option('--no-worker', 'serve the API only; run workers with `ferry worker`'),
).action(async (options) => {
  const { createFerry } = await loadFerry();
  const ferry = await createFerry(loadConfig(process.env, overrides(options)));
  if (ferry.bootstrap && !ferry.bootstrap.keysFromEnvironment) {
    const lines = [
      '',
      'Ferry created its first partner, organization and admin user. These keys are shown once; store them now.',
      `  partner key:            ${ferry.bootstrap.partnerKey}`,
      `  admin API key (org):    ${ferry.bootstrap.apiKey}`,
      `  try: curl -H "Authorization: Bearer ${ferry.bootstrap.apiKey}" localhost:${ferry.context.config.port}/api/me`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  const address = await ferry.listen();
  ferry.context.log.info({ address }, 'listening');
  closeOnSignals(ferry);
});

commonOptions(
  program
    .command('worker')
    .description(
      'run the worker role only (executions from the queue), for scaled-out deployments with `serve --no-worker`',
    )
    .option('--secret-key <key>', 'key for secrets at rest (env FERRY_SECRET_KEY)')
    .option('--log-level <level>', 'log level (env LOG_LEVEL, default info)'),
).action(async (options) => {
  const { createFerry } = await loadFerry();
  const ferry = await createFerry(loadConfig(process.env, { ...overrides(options), worker: true }));
  const metricsAddress = await ferry.listenMetrics();
  ferry.context.log.info(
    metricsAddress ? { metrics: metricsAddress } : {},
    metricsAddress
      ? 'worker running; /metrics, /healthz and /readyz on the metrics port'
      : 'worker running; no HTTP server in this process (set FERRY_METRICS_PORT to scrape it)',
  );
  closeOnSignals(ferry);
});

commonOptions(
  program.command('migrate').description('bring the metadata database schema up to date, then exit'),
).action(async (options) => {
  const config = loadConfig(process.env, overrides(options));
  const { openDatabase, migrateToLatest } = await loadPersistence();
  const database = openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const report = await migrateToLatest(database);
    process.stdout.write(report.applied.length ? `applied: ${report.applied.join(', ')}\n` : 'already up to date\n');
  } finally {
    await database.close();
  }
});

const keys = program.command('keys').description('manage API keys');

commonOptions(
  keys
    .command('create')
    .description('create an API key and print it once')
    .addOption(
      new Option('--kind <kind>', 'partner, organization or user')
        .choices(['partner', 'organization', 'user'])
        .default('organization'),
    )
    .option('--organization <id>', "organization id (default: the partner's owner organization)")
    .option('--user <id>', 'user id (for --kind user)')
    .option('--label <label>', 'a note to tell keys apart'),
).action(async (options) => {
  await withRepositories(options, async (repositories) => {
    const partner = await repositories.partners.first();
    if (!partner) throw new Error('no partner yet: run `ferry serve` once to bootstrap');
    const kind = options.kind as ApiKeyKind;
    let organizationId: string | null = null;
    let userId: string | null = null;
    if (kind !== 'partner') {
      organizationId = options.organization ?? partner.owner_organization_id;
      const organization = organizationId ? await repositories.organizations.get(organizationId) : undefined;
      if (!organization) throw new Error(`organization ${organizationId} not found`);
      if (kind === 'user') {
        if (!options.user) throw new Error('--kind user needs --user <id>');
        const user = await repositories.users.get(organization.id, options.user);
        if (!user) throw new Error(`user ${options.user} not found in organization ${organization.id}`);
        userId = user.id;
      }
    }
    const { row, value } = await repositories.apiKeys.create({
      kind,
      partnerId: partner.id,
      organizationId,
      userId,
      label: options.label,
    });
    process.stdout.write(`${value}\n`);
    process.stderr.write(`created ${kind} key ${row.id}; it is shown once\n`);
  });
});

commonOptions(
  keys.command('list').description('list API keys (never their values)').option('--all', 'include revoked keys'),
).action(async (options) => {
  await withRepositories(options, async (repositories) => {
    const rows = await repositories.apiKeys.list({ includeRevoked: Boolean(options.all) });
    for (const row of rows) {
      const columns = [
        row.id,
        row.kind,
        `${row.key_prefix}…`,
        row.organization_id ?? '-',
        row.user_id ?? '-',
        row.created_at,
        row.revoked_at ? `revoked ${row.revoked_at}` : 'active',
        row.label ?? '',
      ];
      process.stdout.write(`${columns.join('\t')}\n`);
    }
  });
});

commonOptions(
  keys.command('revoke').description('revoke a key by id or printed prefix').argument('<key>', 'key id or prefix'),
).action(async (key, options) => {
  await withRepositories(options, async (repositories) => {
    const count = await repositories.apiKeys.revoke(key);
    if (count === 0) {
      process.stderr.write(`no active key matches ${key}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`revoked ${count} key(s)\n`);
  });
});

registerSyncCommands(program);

program
  .command('mcp')
  .description(
    "a Model Context Protocol server on stdio whose tools drive a Ferry through its HTTP API (an MCP client's subprocess)",
  )
  .option('--url <url>', "Ferry's base URL (env FERRY_URL, default http://localhost:8080)")
  .option('--api-key <key>', 'an organization or user API key (env FERRY_API_KEY)')
  .action(async (options: { url?: string; apiKey?: string }) => {
    const apiKey = options.apiKey ?? process.env.FERRY_API_KEY;
    if (!apiKey) throw new CliError('an API key is needed: set FERRY_API_KEY or pass --api-key');
    const { runStdioMcpServer } = await import('./mcp/stdio-mcp-server.ts');
    await runStdioMcpServer({ url: options.url ?? process.env.FERRY_URL ?? 'http://localhost:8080', apiKey });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`ferry: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof CliError ? error.exitCode : 1);
});
