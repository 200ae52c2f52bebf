// scripts/check-imports.mjs over small fixture trees: it names each forbidden import with its file and fails, passes
// a tree that keeps the layers, and with --report lists the same violations without failing.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const script = join(import.meta.dirname, '../../scripts/check-imports.mjs');
const roots: string[] = [];

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ferry-check-imports-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string, ...flags: string[]) {
  const result = spawnSync(process.execPath, [script, ...flags, root], { encoding: 'utf8' });
  return { status: result.status, lines: result.stdout.trim().split('\n') };
}

const layered = {
  'src/api/errors.ts': 'export class ApiError extends Error {}\n',
  'src/domain/errors.ts': 'export class DomainError extends Error {}\n',
  'src/connectors/run-context.ts': 'export interface RunContext { signal: AbortSignal }\n',
  'src/engine/runner.ts':
    "import type { RunContext } from '../connectors/run-context.ts';\nexport type Run = RunContext;\n",
  'src/services/users.ts': [
    "import { DomainError } from '../domain/errors.ts';",
    "// import { ApiError } from '../api/errors.ts'; (a comment is not an import)",
    'export const fail = () => new DomainError();',
    '',
  ].join('\n'),
  'src/api/routes.ts':
    "import Fastify from 'fastify';\nimport { fail } from '../services/users.ts';\nexport { Fastify, fail };\n",
};

describe('check-imports', () => {
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  test('a tree that keeps the layers passes', () => {
    const { status, lines } = check(tree(layered));
    assert.equal(status, 0, lines.join('\n'));
    assert.deepEqual(lines, ['check-imports: no forbidden imports']);
  });

  test('each forbidden import is named with its file, and the check fails', () => {
    const root = tree({
      ...layered,
      'src/services/users.ts':
        "import {\n  ApiError,\n} from '../api/errors.ts';\nexport const fail = () => new ApiError();\n",
      'src/connectors/postgres/source.ts': "export type { Run } from '../../engine/runner.ts';\n",
      'src/domain/clock.ts':
        "import type { FastifyInstance } from 'fastify/types/instance';\nexport type App = FastifyInstance;\n",
      'src/engine/progress.ts': "const routes = await import('../api/routes.ts');\nexport default routes;\n",
    });
    const { status, lines } = check(root);
    assert.equal(status, 1, lines.join('\n'));
    const violations = lines.slice(0, -1).sort();
    assert.equal(violations.length, 4, lines.join('\n'));
    assert.match(
      violations[0]!,
      /^src\/connectors\/postgres\/source\.ts: imports '\.\.\/\.\.\/engine\/runner\.ts' \(src\/connectors may not import src\/engine/,
    );
    assert.match(
      violations[1]!,
      /^src\/domain\/clock\.ts: imports 'fastify\/types\/instance' \(src\/domain may not import fastify/,
    );
    assert.match(
      violations[2]!,
      /^src\/engine\/progress\.ts: imports '\.\.\/api\/routes\.ts' \(src\/engine may not import src\/api/,
    );
    assert.match(
      violations[3]!,
      /^src\/services\/users\.ts: imports '\.\.\/api\/errors\.ts' \(src\/services may not import src\/api/,
    );
    assert.equal(lines.at(-1), 'check-imports: 4 forbidden imports in 4 files');
  });

  test('src/mcp may import the SDK and the domain, but not the server: its tools reach Ferry over HTTP only', () => {
    const root = tree({
      ...layered,
      'src/mcp/tools.ts': [
        "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
        "import { DomainError } from '../domain/errors.ts';",
        "import { fail } from '../services/users.ts';",
        'export { McpServer, DomainError, fail };',
        '',
      ].join('\n'),
    });
    const { status, lines } = check(root);
    assert.equal(status, 1, lines.join('\n'));
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(
      lines[0]!,
      /^src\/mcp\/tools\.ts: imports '\.\.\/services\/users\.ts' \(src\/mcp may not import src\/services/,
    );
  });

  test('--report lists the violations and exits 0', () => {
    const root = tree({
      ...layered,
      'src/services/keys.ts': "import { ApiError } from '../api/errors.ts';\nexport { ApiError };\n",
    });
    const { status, lines } = check(root, '--report');
    assert.equal(status, 0, lines.join('\n'));
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /^src\/services\/keys\.ts: imports '\.\.\/api\/errors\.ts'/);
  });
});
