// Execution log files of bulk syncs: signed, expiring URLs (the spec's capitalised `Expires` and `URLs`), the
// log-export job, and the file itself — the execution's console log as JSON Lines — served to whoever holds the link.
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import { ApiError, notFound } from '../../errors.ts';
import { Reply, type RouteDefinition } from '../../route.ts';
import { createKyselyConsoleLog } from '../../../persistence/stores/kysely-console-log.ts';
import type { BulkSyncsService } from '../../../services/bulk-syncs-service.ts';
import { Envelope } from '../envelope.ts';
import { JobResponse } from '../jobs/job-schemas.ts';

/** How long a log link works. */
const logLinkTtlMs = 60 * 60 * 1000;

const Params = Type.Object({ sync_id: Type.String(), execution_id: Type.String() });

export function bulkExecutionLogRoutes(context: AppContext, bulkSyncs: BulkSyncsService): RouteDefinition[] {
  const { repositories } = context;
  const signer = context.signer('bulk-execution-log');
  const consoleLog = createKyselyConsoleLog(context.database.db, context.clock.now);
  const { jobs } = context;

  async function link(caller: Parameters<BulkSyncsService['requireSync']>[0], syncId: string, executionId: string) {
    const sync = await bulkSyncs.requireSync(caller, syncId);
    const execution = await repositories.bulkExecutions.get(sync.id, executionId);
    if (!execution) throw notFound('execution');
    const expires = new Date(context.clock.nowMs() + logLinkTtlMs);
    const token = signer.sign({ execution_id: execution.id, organization_id: execution.organization_id }, logLinkTtlMs);
    return { url: `${context.config.publicUrl}/api/bulk/execution-logs/${token}`, expires, execution };
  }

  return [
    {
      operationId: 'bulkSync.executions.getLogs',
      method: 'GET',
      path: '/api/bulk/syncs/{sync_id}/executions/{execution_id}/logs',
      summary: `Signed links (valid ${logLinkTtlMs / 60000} minutes) to the execution's log files.`,
      access: 'organization',
      params: Params,
      response: Envelope(
        'BulkSyncExecutionLogsEnvelope',
        Type.Object(
          { Expires: Type.Optional(Type.String()), URLs: Type.Optional(Type.Array(Type.String())) },
          { title: 'BulkSyncExecutionLogs' },
        ),
      ),
      errors: [404],
      handler: async ({ caller, params }) => {
        const { url, expires } = await link(caller, params.sync_id, params.execution_id);
        return { data: { Expires: expires.toISOString(), URLs: [url] } };
      },
    },
    {
      operationId: 'bulkSync.executions.exportLogs',
      method: 'POST',
      path: '/api/bulk/syncs/{sync_id}/executions/{execution_id}/logs/export',
      summary:
        'Export the execution logs: a job (GET /api/jobs/exportlogs/{id}) whose result, and this response, carry a signed link to the file.',
      access: 'organization',
      params: Params,
      query: Type.Object({ notify: Type.Optional(Type.Boolean()) }),
      response: Type.Object(
        {
          data: Type.Optional(Type.Object({ url: Type.Optional(Type.String()) }, { title: 'ExportSyncLogsResponse' })),
          job: Type.Optional(JobResponse),
        },
        { title: 'ExportSyncLogsEnvelope' },
      ),
      errors: [400, 404, 500],
      handler: async ({ caller, params }) => {
        const { url } = await link(caller, params.sync_id, params.execution_id);
        const job = await jobs.start(caller.organizationId, 'exportlogs', async () => ({ url }));
        await jobs.settled(job.id);
        const done = await jobs.get(caller.organizationId, 'exportlogs', job.id);
        return {
          data: { url },
          job: { job_id: job.id, type: 'exportlogs', status: done?.status ?? job.status, result: { url } },
        };
      },
    },
    {
      operationId: 'bulkSync.executions.logFile',
      method: 'GET',
      path: '/api/bulk/execution-logs/{token}',
      summary:
        "The file behind a log link: the execution's console log as JSON Lines. The link is the credential; a forged or expired one is a 403.",
      access: 'public',
      params: Type.Object({ token: Type.String() }),
      fileResponse: 'application/x-ndjson',
      errors: [403],
      handler: async ({ params }) => {
        const claims = signer.verify<{ execution_id: string }>(params.token);
        if (!claims) throw new ApiError('forbidden', 'This log link is invalid or has expired; ask for a new one.');
        const lines: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await consoleLog.list({ executionId: claims.execution_id, after, limit: 1000 });
          for (const entry of page.entries)
            lines.push(
              JSON.stringify({
                id: entry.id,
                timestamp: entry.createdAt,
                level: entry.level,
                schema: entry.schemaId,
                message: entry.message,
                payload: entry.payload,
              }),
            );
          if (!page.nextCursor || page.entries.length < 1000) break;
          after = page.nextCursor;
        }
        return new Reply(200, undefined, {
          raw: {
            contentType: 'application/x-ndjson; charset=utf-8',
            payload: lines.length ? `${lines.join('\n')}\n` : '',
          },
        });
      },
    },
  ];
}
