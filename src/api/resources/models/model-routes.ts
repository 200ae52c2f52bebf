// Models: list, create, get, update, delete, preview and sample. Create, update, get, preview and sample take
// `async=true`: they answer at once with `job` and run the work as a job (GET /api/jobs/{type}/{id}).
import type { AppContext } from '../../../app-context.ts';
import type { Caller } from '../../auth/caller.ts';
import type { HandlerInput, RouteDefinition } from '../../route.ts';
import { ApiError } from '../../errors.ts';
import type { RunContext } from '../../../domain/run-context.ts';
import { silentLogger } from '../../../domain/run-context.ts';
import { actingOrganizationId } from '../../../services/acting-organization.ts';
import { JobType, type JobWork } from '../../../services/jobs-service.ts';
import { modelFromRow } from '../../../services/model-record.ts';
import type { ModelInput, ModelsService } from '../../../services/models-service.ts';
import { IdParams } from '../envelope.ts';
import { jobToWire } from '../jobs/job-routes.ts';
import {
  AsyncQuery,
  CreateModelRequest,
  ModelListResponseEnvelope,
  ModelResponseEnvelope,
  ModelSampleResponseEnvelope,
  UpdateModelRequest,
} from './model-schemas.ts';
import { modelToUpdateBody, modelToWire } from './model-wire.ts';

/** The spec: synchronous samples must finish within 10 s, else use async=true. */
const syncSampleTimeoutMs = 10_000;

export function modelRoutes(context: AppContext, models: ModelsService): RouteDefinition[] {
  const { repositories, jobs } = context;

  /** `{data}` now, or `{job}` at once with the work recorded as a job. */
  async function answer(organizationId: string, asynchronous: boolean | undefined, type: JobType, work: JobWork) {
    if (!asynchronous)
      return { data: await work({ signal: new AbortController().signal, log: silentLogger, heartbeat() {} }) };
    return { job: jobToWire(await jobs.start(organizationId, type, work)) };
  }

  /** POST /api/models and /api/model-preview: a CreateModelRequest in the acting organization, checked before an async answer. */
  function fromCreateRequest(
    type: JobType,
    make: (caller: Caller, organizationId: string, input: ModelInput) => Promise<Parameters<typeof modelToWire>[0]>,
  ) {
    return async ({ caller, query, body }: HandlerInput) => {
      const organizationId = await actingOrganizationId(repositories, caller, body.organization_id);
      if (query.async) await models.precheck(organizationId, body);
      return answer(organizationId, query.async, type, async () =>
        modelToWire(await make(caller, organizationId, body)),
      );
    };
  }

  return [
    {
      operationId: 'models.list',
      method: 'GET',
      path: '/api/models',
      summary:
        "The organization's models, most recently updated first (unpaginated: neither SDK's schema has pagination here).",
      access: 'organization',
      response: ModelListResponseEnvelope,
      errors: [404],
      handler: async ({ caller }) => ({
        data: (await repositories.models.list(caller.organizationId)).map((row) => modelToWire(modelFromRow(row))),
      }),
    },
    {
      operationId: 'models.create',
      method: 'POST',
      path: '/api/models',
      summary:
        'Create a model from a SQL query ({"query"}) or a table ({"table"}); its fields are detected by asking the source about the SQL.',
      access: 'organization',
      query: AsyncQuery,
      body: CreateModelRequest,
      response: ModelResponseEnvelope,
      errors: [400, 403, 404, 422, 500],
      handler: fromCreateRequest(JobType.createmodel, models.create),
    },
    {
      operationId: 'models.preview',
      method: 'POST',
      path: '/api/model-preview',
      summary:
        'The model a CreateModelRequest would make, with its detected fields; nothing is stored (the result has no id).',
      access: 'organization',
      query: AsyncQuery,
      body: CreateModelRequest,
      response: ModelResponseEnvelope,
      errors: [400, 404, 422, 500],
      handler: fromCreateRequest(JobType.previewmodel, models.preview),
    },
    {
      operationId: 'models.get',
      method: 'GET',
      path: '/api/models/{id}',
      summary:
        'A model with its fields. With async=true, a previewmodel job whose result is the model with its fields as the source describes them now (nothing is stored).',
      access: 'organization',
      params: IdParams,
      query: AsyncQuery,
      response: ModelResponseEnvelope,
      errors: [404, 500],
      handler: async ({ caller, params, query }) => {
        if (!query.async) return { data: modelToWire(await models.requireModel(caller, params.id)) };
        await models.requireModel(caller, params.id);
        return answer(caller.organizationId, true, JobType.previewmodel, async () =>
          modelToWire(await models.refreshed(caller, params.id)),
        );
      },
    },
    {
      operationId: 'models.update',
      method: 'PUT',
      path: '/api/models/{id}',
      summary:
        'Replace a model (omitted settings are cleared); its fields are detected again and its version goes up by one.',
      access: 'organization',
      params: IdParams,
      query: AsyncQuery,
      body: UpdateModelRequest,
      response: ModelResponseEnvelope,
      errors: [400, 404, 422, 500],
      // A model's configuration is one SQL or one table: a patch replaces it whole.
      patchReplacesWhole: ['configuration'],
      currentBody: async ({ caller, params, patch }) =>
        modelToUpdateBody(await models.requireModel(caller, params.id), patch),
      handler: async ({ caller, params, query, body }) => {
        if (query.async) {
          await models.requireModel(caller, params.id);
          await models.precheck(caller.organizationId, body);
        }
        return answer(caller.organizationId, query.async, JobType.updatemodel, async () =>
          modelToWire(await models.update(caller, params.id, body)),
        );
      },
    },
    {
      operationId: 'models.delete',
      method: 'DELETE',
      path: '/api/models/{id}',
      summary:
        'Delete a model; refused (409) while a model sync uses it. Always immediate: `async` is accepted, but no job type exists for deletes.',
      access: 'organization',
      params: IdParams,
      query: AsyncQuery,
      errors: [403, 404, 409, 500],
      handler: async ({ caller, params }) => {
        await models.delete(caller, params.id);
        return undefined;
      },
    },
    {
      operationId: 'models.sample',
      method: 'GET',
      path: '/api/models/{id}/sample',
      summary: `Up to 10 records of the model, with warnings. Synchronous samples must finish within ${syncSampleTimeoutMs / 1000} s; use async=true beyond that.`,
      access: 'organization',
      params: IdParams,
      query: AsyncQuery,
      response: ModelSampleResponseEnvelope,
      errors: [400, 404, 422, 500],
      handler: async ({ caller, params, query }) => {
        if (query.async) {
          await models.requireModel(caller, params.id);
          return answer(caller.organizationId, true, JobType.samplemodel, (run) =>
            models.sample(caller, params.id, run),
          );
        }
        const run: RunContext = { signal: AbortSignal.timeout(syncSampleTimeoutMs), log: silentLogger, heartbeat() {} };
        try {
          return { data: await models.sample(caller, params.id, run) };
        } catch (error: unknown) {
          if (!run.signal.aborted) throw error;
          throw new ApiError(
            'bad_request',
            `The sample took longer than ${syncSampleTimeoutMs / 1000} s; ask again with async=true.`,
            { metadata: { field: 'async' }, cause: error },
          );
        }
      },
    },
  ];
}
