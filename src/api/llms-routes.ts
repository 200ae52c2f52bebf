// GET /llms.txt and /llms-full.txt, the index of Ferry's docs and API for language models, and GET /docs/{page}.md,
// the pages it links to. No key: they hold no tenant data, only what docs/ and the OpenAPI documents already say.
// Built on the first request (the public URL is known once the server listens) and kept, since their sources are
// the code and the docs of this process.
import type { FastifyInstance } from 'fastify';
import { type DocPage, operationsOf, readDocPages, renderLlmsFullTxt, renderLlmsTxt } from '../docs/llms-txt.ts';
import { ApiError } from './errors.ts';
import type { RouteDefinition } from './route.ts';
import { buildOpenApiDocument } from './versioning/openapi.ts';
import type { VersionChange } from './versioning/version-change.ts';
import { apiVersions, latestVersion } from './versioning/versions.ts';

const docsDirectory = new URL('../../docs/', import.meta.url);

export function registerLlmsRoutes(
  app: FastifyInstance,
  options: { routes: readonly RouteDefinition[]; changes: readonly VersionChange[]; publicUrl: () => string },
): void {
  let pages: DocPage[] | undefined;
  const pagesOnce = () => (pages ??= readDocPages(docsDirectory));
  const rendered = new Map<string, string>();
  const render = (name: string, renderer: typeof renderLlmsTxt) => {
    let text = rendered.get(name);
    if (text === undefined) {
      text = renderer({
        baseUrl: options.publicUrl(),
        pages: pagesOnce(),
        operations: operationsOf(buildOpenApiDocument(options.routes, options.changes, latestVersion)),
        defaultVersion: latestVersion,
        olderVersions: apiVersions.filter((version) => version !== latestVersion),
      });
      rendered.set(name, text);
    }
    return text;
  };
  const markdown = 'text/markdown; charset=utf-8';
  app.get('/llms.txt', async (_request, reply) => reply.type(markdown).send(render('llms.txt', renderLlmsTxt)));
  app.get('/llms-full.txt', async (_request, reply) =>
    reply.type(markdown).send(render('llms-full.txt', renderLlmsFullTxt)),
  );
  app.get('/docs/:page', async (request, reply) => {
    const { page } = request.params as { page: string };
    // Only the pages that exist are served: the name is matched against the list, never joined into a path.
    const found = pagesOnce().find((candidate) => candidate.file === page);
    if (!found) throw new ApiError('route_not_found', `GET /docs/${page} does not exist`);
    return reply.type(markdown).send(found.text);
  });
}
