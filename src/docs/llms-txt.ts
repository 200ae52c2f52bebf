// /llms.txt and /llms-full.txt (the llms.txt convention: an H1 title, a summary blockquote, then sections of links),
// built from the docs/*.md pages and the OpenAPI document of the default version, the same sources people and
// clients read, so the index cannot drift from them. llms-full.txt adds every operation and the pages' whole text.
import { readdirSync, readFileSync } from 'node:fs';

export interface DocPage {
  /** The file name in docs/, e.g. `architecture.md`. */
  file: string;
  title: string;
  /** The first sentence of the page's first paragraph. */
  summary: string;
  text: string;
}

export interface ApiOperation {
  method: string;
  path: string;
  operationId: string;
  summary: string;
  needsKey: boolean;
}

/** The first paragraph of prose: not a heading, a comment, a table, a list, a quote or a code fence. */
function firstParagraph(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || /^(#|<!--|\||```|- |> |\* )/.test(trimmed)) {
      if (lines.length) break;
      continue;
    }
    lines.push(trimmed);
  }
  return lines.join(' ');
}

function firstSentence(paragraph: string): string {
  // A period, not a colon: colons also sit inside parentheses and code (`{data: …}`).
  const match = /^.*?[.!?](?=\s|$)/.exec(paragraph);
  return match ? match[0] : paragraph;
}

export function readDocPages(directory: URL): DocPage[] {
  let files: string[];
  try {
    files = readdirSync(directory).filter((name) => name.endsWith('.md'));
  } catch {
    return [];
  }
  return files.sort().map((file) => {
    const text = readFileSync(new URL(file, directory), 'utf8');
    const title = /^# (.+)$/m.exec(text)?.[1]?.trim() ?? file;
    return { file, title, summary: firstSentence(firstParagraph(text)), text };
  });
}

const methods = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of an OpenAPI document, in path order. */
export function operationsOf(document: Record<string, unknown>): ApiOperation[] {
  const operations: ApiOperation[] = [];
  const paths = (document.paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const path of Object.keys(paths).sort()) {
    for (const method of methods) {
      const operation = paths[path]?.[method];
      if (!operation) continue;
      const security = (operation.security ?? []) as Array<Record<string, unknown>>;
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: String(operation.operationId ?? ''),
        summary: String(operation.summary ?? ''),
        needsKey: security.length > 0 && security.every((requirement) => Object.keys(requirement).length > 0),
      });
    }
  }
  return operations;
}

/** A page's headings two levels down, so that they nest under its `## docs/…` section; code blocks are kept. */
function demoteHeadings(text: string): string {
  let inFence = false;
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('```')) inFence = !inFence;
      return !inFence && /^#{1,4} /.test(line) ? `##${line}` : line;
    })
    .join('\n');
}

export interface LlmsTxtSources {
  /** Where this Ferry is reached, without a trailing slash. */
  baseUrl: string;
  pages: DocPage[];
  operations: ApiOperation[];
  defaultVersion: string;
  olderVersions: readonly string[];
}

function header(sources: LlmsTxtSources): string[] {
  const { baseUrl, defaultVersion } = sources;
  return [
    '# Ferry',
    '',
    '> Ferry is a self-hosted data-sync server: bulk syncs copy tables from databases, files and APIs into a ' +
      'destination (ELT), and model syncs push the rows of a SQL model into targets (reverse ETL). Its REST API is ' +
      'wire-compatible with the Polytomic Connect API.',
    '',
    `Every API call but a few catalogue ones needs \`Authorization: Bearer <api key>\`. The version is chosen by the ` +
      `\`X-Polytomic-Version\` header (${defaultVersion} when it is absent). Agents can also use the MCP server: ` +
      `streamable HTTP at ${baseUrl}/mcp with the same Authorization header, or \`ferry mcp\` on stdio.`,
    '',
  ];
}

export function renderLlmsTxt(sources: LlmsTxtSources): string {
  const { baseUrl, pages, operations, defaultVersion, olderVersions } = sources;
  return [
    ...header(sources),
    '## Docs',
    '',
    ...pages.map((page) => `- [${page.title}](${baseUrl}/docs/${page.file}): ${page.summary}`),
    '',
    '## API',
    '',
    `- [OpenAPI 3.1 document, version ${defaultVersion}](${baseUrl}/api/openapi.json): ${operations.length} ` +
      'operations, their parameters, bodies, responses and errors',
    `- [Everything in one file](${baseUrl}/llms-full.txt): every operation and the full text of the docs`,
    '',
    '## Optional',
    '',
    ...olderVersions.map(
      (version) => `- [OpenAPI document, version ${version}](${baseUrl}/api/openapi.json?version=${version})`,
    ),
    '',
  ].join('\n');
}

export function renderLlmsFullTxt(sources: LlmsTxtSources): string {
  const { baseUrl, pages, operations, defaultVersion } = sources;
  return [
    ...header(sources),
    `## Operations (version ${defaultVersion})`,
    '',
    `The OpenAPI document: ${baseUrl}/api/openapi.json. [no key] marks the operations that need no API key.`,
    '',
    ...operations.map(
      (operation) =>
        `- \`${operation.method} ${operation.path}\` (${operation.operationId})${operation.needsKey ? '' : ' [no key]'}: ` +
        operation.summary,
    ),
    '',
    ...pages.flatMap((page) => [
      `## docs/${page.file}`,
      '',
      `Source: ${baseUrl}/docs/${page.file}`,
      '',
      demoteHeadings(page.text.trim()),
      '',
    ]),
  ].join('\n');
}
