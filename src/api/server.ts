// buildServer(context): Fastify with the versioned API. Every response, errors and unknown routes included,
// carries X-Polytomic-Version naming the version that served it.
import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { AppContext } from '../app-context.ts';
import { createAuthenticator } from './auth/authenticate.ts';
import { maxBodyDepth, nestsDeeperThan } from './body-depth.ts';
import { registerEndpoints } from './dispatcher.ts';
import { WireJsonCache } from './wire-json-cache.ts';
import { ApiError } from './errors.ts';
import { createErrorRenderer } from './error-response.ts';
import { createIdempotencyGate } from './idempotency.ts';
import './request-version.ts';
import type { RouteDefinition } from './route.ts';
import { allRoutes } from './routes.ts';
import { registerConnectCardPage } from './connect-card-page.ts';
import { registerConsole } from '../console/console-routes.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { registerMetricsRoutes } from './metrics-routes.ts';
import { registerMcpRoute } from './mcp-route.ts';
import { registerLlmsRoutes } from './llms-routes.ts';
import { createReadiness, type Readiness } from '../metrics/readiness.ts';
import { versionChanges } from './versioning/changes/index.ts';
import { planAllEndpoints } from './versioning/migrate.ts';
import { buildOpenApiDocument } from './versioning/openapi.ts';
import { deprecationHeaders } from './versioning/deprecation.ts';
import type { VersionChange } from './versioning/version-change.ts';
import { apiVersions, isApiVersion, latestVersion, resolveVersion, versionHeader } from './versioning/versions.ts';

export interface BuildServerOptions {
  routes?: RouteDefinition[];
  changes?: readonly VersionChange[];
  /** Largest accepted request body. 1 MiB by default; the proxy enforces its own 256 KiB cap. */
  bodyLimit?: number;
  /** What /readyz checks; by default the database and its migrations (no worker expected). */
  readiness?: Readiness;
}

export async function buildServer(context: AppContext, options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const routes = options.routes ?? allRoutes(context);
  const changes = options.changes ?? versionChanges;
  const renderError = createErrorRenderer(changes);
  const app: FastifyInstance = Fastify({
    loggerInstance: context.log as FastifyBaseLogger,
    // One line per request is written by onResponse below, at debug level for successes.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    genReqId: () => randomUUID(),
    // No child logger per request (pino serialises its bindings each time, measurable at thousands of requests a
    // second): the few lines logged per request name the request id themselves.
    childLoggerFactory: (logger) => logger,
    requestIdHeader: 'x-request-id',
    // Signed link tokens (connect cards, log files) travel as path parameters; the default cap is 100 characters.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // What the router refuses before any hook runs (a path that is not valid percent-encoding, a parameter past
    // maxParamLength) would otherwise get Fastify's own body: render it in the API's error shape too.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      const resolution = resolveVersion(request.headers[versionHeader]);
      const version = resolution.ok ? resolution.version : latestVersion;
      const rendered = renderError(error, version, request.id);
      reply.header('x-request-id', request.id).header('X-Polytomic-Version', version);
      reply.code(rendered.status).type('application/json; charset=utf-8').send(JSON.stringify(rendered.body));
    },
  });
  if (context.config.metricsEnabled) {
    registerMetricsRoutes(app, context.metrics, { serveOnApiPort: context.config.metricsPort === undefined });
  }

  app.decorateRequest('apiVersion', latestVersion);
  const deprecations = deprecationHeaders(context.config.versionSunsets);

  // JSON bodies; an empty body is no body (several POSTs, like activate or cancel, send none). A body nested deeper
  // than maxBodyDepth is refused here, before any version change, validator or handler walks it.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return done(
        new ApiError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`),
        undefined,
      );
    }
    if (nestsDeeperThan(parsed, maxBodyDepth)) {
      return done(
        new ApiError('bad_request', `The request body nests arrays and objects deeper than ${maxBodyDepth} levels.`, {
          metadata: { max_depth: maxBodyDepth },
        }),
        undefined,
      );
    }
    done(null, parsed);
  });

  // Callback-style hooks: a request pays no promise for them (they are on every request's path).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    const resolution = resolveVersion(request.headers[versionHeader]);
    const version = resolution.ok ? resolution.version : latestVersion;
    request.apiVersion = version;
    reply.header('X-Polytomic-Version', version);
    const deprecation = deprecations.get(version);
    if (deprecation) reply.headers(deprecation);
    if (resolution.ok) return done();
    done(
      new ApiError('unsupported_version', `${resolution.reason}. Supported versions: ${apiVersions.join(', ')}.`, {
        metadata: { field: 'X-Polytomic-Version', supported_versions: [...apiVersions] },
      }),
    );
  });

  // A request line for every response only at debug level: an onResponse hook costs every request its machinery.
  // Failures (5xx) are logged by the error handler below, whatever the level.
  const requestLine = (request: FastifyRequest, status: number) => ({
    requestId: request.id,
    method: request.method,
    url: request.url,
    status,
    version: request.apiVersion,
  });
  if (context.log.isLevelEnabled('debug')) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug(
        { ...requestLine(request, reply.statusCode), ms: Math.round(reply.elapsedTime) },
        'request completed',
      );
      done();
    });
  }

  app.setErrorHandler((error, request, reply) => {
    const rendered = renderError(error, request.apiVersion, request.id);
    if (rendered.unexpected) request.log.error({ err: error, requestId: request.id }, 'unexpected error');
    if (rendered.status >= 500) request.log.error(requestLine(request, rendered.status), 'request failed');
    if (rendered.headers) reply.headers(rendered.headers);
    reply.header('X-Polytomic-Version', request.apiVersion);
    return reply.code(rendered.status).type('application/json; charset=utf-8').send(JSON.stringify(rendered.body));
  });

  app.setNotFoundHandler((request, reply) => {
    const rendered = renderError(
      new ApiError('route_not_found', `${request.method} ${request.url.split('?')[0]} does not exist`),
      request.apiVersion,
      request.id,
    );
    return reply.code(rendered.status).type('application/json; charset=utf-8').send(JSON.stringify(rendered.body));
  });

  const authenticator = createAuthenticator(context.repositories.apiKeys, context.credentials);
  registerEndpoints(app, planAllEndpoints(routes, changes), {
    authenticate: authenticator,
    idempotency: createIdempotencyGate(
      context.repositories.idempotency,
      context.config.idempotencyTtlMs,
      context.clock.now,
    ),
    renderError,
    onWrite: () => context.entities.forgetCached(),
    wireJson: new WireJsonCache(context.config.wireJsonCacheBytes),
  });

  const openApiCache = new Map<string, string>();
  app.get('/api/openapi.json', async (request, reply) => {
    const asked = (request.query as { version?: string }).version;
    if (asked !== undefined && !isApiVersion(asked)) {
      throw new ApiError(
        'unsupported_version',
        `version ${asked} is not supported. Supported versions: ${apiVersions.join(', ')}.`,
        {
          metadata: { field: 'version', supported_versions: [...apiVersions] },
        },
      );
    }
    const version = asked ?? request.apiVersion;
    reply.header('X-Polytomic-Version', version);
    let document = openApiCache.get(version);
    if (!document) {
      document = JSON.stringify(buildOpenApiDocument(routes, changes, version));
      openApiCache.set(version, document);
    }
    return reply.type('application/json; charset=utf-8').send(document);
  });

  registerConnectCardPage(app, context);
  registerMcpRoute(app, authenticator);
  registerLlmsRoutes(app, { routes, changes, publicUrl: () => context.config.publicUrl });
  registerConsole(app);
  registerHealthRoutes(
    app,
    options.readiness ??
      createReadiness({
        database: context.database,
        log: context.log,
        workerExpected: false,
        workerRunning: () => false,
      }),
  );
  return app;
}
