// Every request carries the API version that serves it, resolved in the onRequest hook.
import type { ApiVersion } from './versioning/versions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiVersion: ApiVersion;
  }
}
