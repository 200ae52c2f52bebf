// A model-sync execution's logs: the record-log index (2025-09-18), signed URLs per log type, the files behind them,
// and the console log. Record logs are gzip JSON Lines written by the worker (src/engine/record-logs); the execution
// row's record_logs column is their index, so only files named there are ever served.
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import { ApiError, notFound } from '../../errors.ts';
import { Reply, type RouteDefinition } from '../../route.ts';
import { createKyselyConsoleLog } from '../../../persistence/stores/kysely-console-log.ts';
import {
  executionLogTypes,
  type ExecutionLogType,
  type RecordLogIndex,
} from '../../../engine/record-logs/record-log.ts';
import type { ModelSyncExecutionRow } from '../../../persistence/repositories/model-sync-executions-repository.ts';
import { requireModelSync } from '../../../services/model-syncs-service.ts';
import { modelSyncRecordLogDirectory } from '../../../services/model-sync-record-log-location.ts';
import {
  createRecordLogLinks,
  recordLogLinkTtlMs,
  recordLogLinkPurpose,
  recordLogTokenParameter,
} from '../../../services/model-sync-record-log-links.ts';
import { Envelope } from '../envelope.ts';
import { ConsoleLogEnvelope, ConsoleLogQuery, consoleLogPage } from '../execution-console-log.ts';
import { ExecutionParams } from './model-sync-execution-schemas.ts';

const LogType = Type.Union(
  executionLogTypes.map((type) => Type.Literal(type)),
  { title: 'ExecutionLogType' },
);
const TypeParams = Type.Object({ sync_id: Type.String(), id: Type.String(), type: LogType });
const FileParams = Type.Object({ sync_id: Type.String(), id: Type.String(), type: LogType, filename: Type.String() });

const ExecutionLogsEnvelope = Envelope(
  'ExecutionLogsResponseEnvelope',
  Type.Object(
    { expires: Type.Optional(Type.String()), urls: Type.Optional(Type.Array(Type.String())) },
    { title: 'ExecutionLogResponse' },
  ),
);
// Not in the SDK types (the migration guide names the logs index but gives no type); the shape is Ferry's, in
// docs/model-syncs.md.
const LogsIndexEnvelope = Envelope(
  'ExecutionLogsIndexEnvelope',
  Type.Object(
    {
      record_count: Type.Integer(),
      logs: Type.Record(
        Type.String(),
        Type.Object(
          { record_count: Type.Integer(), files: Type.Integer(), url: Type.String() },
          { title: 'ExecutionLogsIndexEntry' },
        ),
      ),
    },
    { title: 'ExecutionLogsIndex' },
  ),
);

export function modelSyncLogRoutes(context: AppContext): RouteDefinition[] {
  const { repositories } = context;
  const consoleLog = createKyselyConsoleLog(context.database.db, context.clock.now);
  const links = createRecordLogLinks({
    signer: context.signer(recordLogLinkPurpose),
    publicUrl: () => context.config.publicUrl,
  });
  const ttlMinutes = recordLogLinkTtlMs / 60_000;

  async function requireExecution(organizationId: string, syncId: string, executionId: string) {
    const sync = await requireModelSync(context, organizationId, syncId);
    const execution = await repositories.modelSyncExecutions.get(sync.organization_id, sync.id, executionId);
    if (!execution) throw notFound('execution');
    return execution;
  }

  return [
    {
      operationId: 'modelSync.executions.getLogsIndex',
      method: 'GET',
      path: '/api/syncs/{sync_id}/executions/{id}/logs',
      summary:
        "The execution's record-log index: record_count (records considered) and, per log type actually produced, its record count, " +
        'file count and the endpoint that returns signed URLs to its files. Types with no records are omitted.',
      access: 'organization',
      params: ExecutionParams,
      response: LogsIndexEnvelope,
      errors: [404],
      handler: async ({ caller, params }) => {
        const execution = await requireExecution(caller.organizationId, params.sync_id, params.id);
        const index = recordLogIndexOf(execution);
        const logs: Record<string, { record_count: number; files: number; url: string }> = {};
        for (const type of executionLogTypes) {
          const entry = index[type];
          if (!entry || entry.records === 0) continue;
          const url = `${context.config.publicUrl}/api/syncs/${encodeURIComponent(execution.sync_id)}/executions/${encodeURIComponent(execution.id)}/${type}`;
          logs[type] = { record_count: entry.records, files: entry.files.length, url };
        }
        return { data: { record_count: index.records?.records ?? 0, logs } };
      },
    },
    {
      operationId: 'modelSync.executions.getConsoleLogs',
      method: 'GET',
      path: '/api/syncs/{sync_id}/executions/{id}/consolelog',
      summary:
        "The execution's console log, oldest first; limit at most 50, `after` = the last entry's id (next_cursor). Entries appear while the execution runs.",
      access: 'organization',
      params: ExecutionParams,
      query: ConsoleLogQuery,
      response: ConsoleLogEnvelope,
      errors: [400, 404, 408, 500],
      handler: async ({ caller, params, query }) => {
        const execution = await requireExecution(caller.organizationId, params.sync_id, params.id);
        return consoleLogPage(consoleLog, execution.id, undefined, query);
      },
    },
    {
      operationId: 'modelSync.executions.getLogUrls',
      method: 'GET',
      path: '/api/syncs/{sync_id}/executions/{id}/{type}',
      summary: `Signed URLs (valid ${ttlMinutes} minutes) to every file of one log type, in write order; none when the type has no records.`,
      access: 'organization',
      params: TypeParams,
      response: ExecutionLogsEnvelope,
      errors: [400, 404, 500],
      handler: async ({ caller, params }) => {
        const execution = await requireExecution(caller.organizationId, params.sync_id, params.id);
        const type = params.type as ExecutionLogType;
        const files = recordLogIndexOf(execution)[type]?.files ?? [];
        const signed = links.sign(
          files.map((filename) => ({
            organizationId: execution.organization_id,
            syncId: execution.sync_id,
            executionId: execution.id,
            type,
            filename,
          })),
        );
        return { data: signed };
      },
    },
    {
      operationId: 'modelSync.executions.getLogs',
      method: 'GET',
      path: '/api/syncs/{sync_id}/executions/{id}/{type}/{filename}',
      summary:
        `With \`${recordLogTokenParameter}\` (a URL from getLogUrls): the file itself, gzip JSON Lines served as application/gzip (the bytes of ` +
        `\`<type>-NNNN.jsonl.gz\`); the signed URL is the credential, so no API key is needed, and an altered or expired token is a 403. ` +
        "Without it: an ordinary API call (bearer key) answering this one file's signed URL, as the SDK documents.",
      access: 'public',
      params: FileParams,
      query: Type.Object({ [recordLogTokenParameter]: Type.Optional(Type.String()) }),
      response: ExecutionLogsEnvelope,
      fileResponse: 'application/gzip',
      errors: [400, 401, 403, 404, 500],
      handler: async ({ params, query, authenticate }) => {
        const file = {
          syncId: params.sync_id,
          executionId: params.id,
          type: params.type as ExecutionLogType,
          filename: params.filename,
        };
        const token: string | undefined = query[recordLogTokenParameter];
        if (token === undefined) {
          const caller = await authenticate!();
          const execution = requireListed(
            await requireExecution(caller.organizationId, file.syncId, file.executionId),
            file,
          );
          return { data: links.sign([{ ...file, organizationId: execution.organization_id }]) };
        }
        const organizationId = links.verify(token, file);
        if (!organizationId) {
          throw new ApiError(
            'forbidden',
            'This log link was altered or has expired; ask GET /api/syncs/{sync_id}/executions/{id}/{type} for a new one.',
          );
        }
        const execution = await repositories.modelSyncExecutions.get(organizationId, file.syncId, file.executionId);
        if (!execution) throw notFound('execution');
        requireListed(execution, file);
        const { stream, size } = await openLogFile(
          join(modelSyncRecordLogDirectory(context.config.dataDir, execution.sync_id, execution.id), file.filename),
        );
        return new Reply(200, undefined, {
          headers: {
            'content-length': String(size),
            'content-disposition': `attachment; filename="${file.filename}"`,
            'cache-control': 'private, no-store',
            // The client has every byte before the file stream ends on this side; a server closing in that window kept
            // the keep-alive socket until its timeout (app.close() took 70 s in 8 of 18 runs ending on a download; 0 of
            // 24 with this header). Downloads are rare and large, so one connection each costs nothing.
            connection: 'close',
          },
          raw: { contentType: 'application/gzip', payload: stream },
        });
      },
    },
  ];
}

/** The index the worker stored when the run closed its record logs; empty while it runs or when it logged nothing. */
function recordLogIndexOf(execution: Pick<ModelSyncExecutionRow, 'record_logs'>): RecordLogIndex {
  return execution.record_logs ? (JSON.parse(execution.record_logs) as RecordLogIndex) : {};
}

/** The execution, when its index lists the file: only listed names are ever joined to the log directory (no traversal). */
function requireListed(
  execution: ModelSyncExecutionRow,
  file: { type: ExecutionLogType; filename: string },
): ModelSyncExecutionRow {
  const listed = recordLogIndexOf(execution)[file.type]?.files ?? [];
  if (!listed.includes(file.filename) || basename(file.filename) !== file.filename) throw notFound('log file');
  return execution;
}

async function openLogFile(path: string): Promise<{ stream: NodeJS.ReadableStream; size: number }> {
  const handle = await open(path).catch((error: unknown) => {
    // Listed but gone (removed by hand, or a data dir not shared with the worker): the file is not there to serve.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('log file');
    throw new Error(`record log ${path} could not be opened`, { cause: error });
  });
  try {
    const { size } = await handle.stat();
    return { stream: handle.createReadStream(), size };
  } catch (error) {
    await handle.close();
    throw new Error(`record log ${path} could not be read`, { cause: error });
  }
}
