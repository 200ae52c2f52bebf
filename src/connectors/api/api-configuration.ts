// `api` configuration: the proxy upstream keys (the API's "api" connection configuration: url, auth, headers,
// parameters, healthcheck) plus Ferry's settings for reading one paginated JSON resource as a
// bulk source. Ferry's keys (path, records_path, pagination) are not in Polytomic's provider docs.
import type { ConfigurationSchema, ValidationResult } from '../configuration-schema.ts';
import { validateConfiguration } from '../configuration-schema.ts';

const PaginationKind = { none: 'none', nextLink: 'next_link', page: 'page', offset: 'offset' } as const;
type PaginationKind = (typeof PaginationKind)[keyof typeof PaginationKind];

interface ApiPagination {
  kind: PaginationKind;
  /** next_link: dotted path to the next page URL in the body, e.g. `links.next`. Default `next`. */
  next_path?: string;
  /** page: the page-number parameter (default `page`), starting at `first_page` (default 1). */
  page_parameter?: string;
  first_page?: number;
  /** offset: the offset parameter (default `offset`). */
  offset_parameter?: string;
  /** page and offset: page size parameter and value, sent when both are set. */
  limit_parameter?: string;
  limit?: number;
}

export interface ApiSourceConfiguration {
  /** The resource to read, relative to `url`. Default `/`. */
  path: string;
  /** Dotted path to the record array in each page; empty means the body itself is the array. */
  records_path: string;
  pagination: ApiPagination;
  /** Stop after this many pages (a guard against servers whose next link never ends). Default 10 000. */
  max_pages: number;
}

export const apiConfigurationSchema: ConfigurationSchema = {
  type: 'object',
  properties: {
    // Credentials in the URL become basic auth and its query parameters locked ones (upstream-contract.ts), so
    // responses mask both.
    url: { type: 'string', title: 'Base URL', 'x-sensitive-url': true },
    healthcheck: { type: 'string', title: 'Health check endpoint' },
    body: { type: 'string', title: 'JSON payload' },
    path: { type: 'string', title: 'Resource path', default: '/' },
    records_path: { type: 'string', title: 'Records path', default: '' },
    max_pages: { type: 'integer', title: 'Page limit', default: 10_000, minimum: 1 },
  },
  required: ['url'],
};

export type ApiConfiguration = Record<string, unknown> & { url: string; healthcheck?: string } & ApiSourceConfiguration;

export function validateApiConfiguration(raw: unknown): ValidationResult<ApiConfiguration> {
  const checked = validateConfiguration<ApiConfiguration>(apiConfigurationSchema, raw);
  if (!checked.ok) return checked;
  const input = raw as Record<string, unknown>;
  try {
    const url = new URL(checked.value.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { ok: false, field: 'url', message: 'url must use http or https' };
  } catch {
    return { ok: false, field: 'url', message: 'url is not a valid URL' };
  }
  const pagination = (input.pagination ?? { kind: 'none' }) as ApiPagination;
  if (!(Object.values(PaginationKind) as string[]).includes(pagination.kind)) {
    return {
      ok: false,
      field: 'pagination.kind',
      message: `pagination.kind must be one of ${Object.values(PaginationKind).join(', ')}`,
    };
  }
  // Auth and header settings are carried as given; deriveUpstreamContract checks them.
  return { ok: true, value: { ...input, ...checked.value, pagination } };
}
