#!/usr/bin/env node
// Checks the layer rules of docs/architecture.md against the imports of every .ts file under src/:
//   node scripts/check-imports.mjs [--report] [root]
// Each violation is printed as `file: imports 'specifier' (rule)`. Without --report the script exits 1 when it finds
// any; with --report it prints them and exits 0 (to see where the code stands while the layers are being fixed).
// `root` is the project directory (default: the one this script is in); tests pass a small fixture tree.
// Only node is needed: import and export-from specifiers are read with a regular expression, relative ones resolved.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A rule: files under `from` may not import what `forbidden` names, a folder under src/ (`src/api`) or a package
 * (`fastify`, which also covers `fastify/…`).
 */
const rules = [
  { from: 'src/services', forbidden: ['src/api'], why: 'services know no HTTP' },
  {
    from: 'src/connectors',
    forbidden: ['src/engine', 'src/services', 'src/api', 'src/worker'],
    why: 'connectors know no engine or use cases',
  },
  {
    from: 'src/domain',
    forbidden: ['src/api', 'src/services', 'src/engine', 'src/persistence', 'src/connectors', 'src/http', 'fastify'],
    why: 'the domain knows no HTTP, storage or engine',
  },
  { from: 'src/engine', forbidden: ['src/api', 'fastify'], why: 'the engine runs without HTTP' },
  {
    from: 'src/mcp',
    forbidden: [
      'src/api',
      'src/services',
      'src/engine',
      'src/connectors',
      'src/persistence',
      'src/worker',
      'src/queue',
      'fastify',
    ],
    why: 'the MCP tools reach Ferry through its public HTTP API only',
  },
  {
    from: 'src/console',
    forbidden: [
      'src/api',
      'src/services',
      'src/engine',
      'src/persistence',
      'src/connectors',
      'src/worker',
      'src/queue',
    ],
    why: 'the console is a static client of the public API',
  },
];

// `import x from '…'`, `import type { x } from '…'`, `import '…'`, `export { x } from '…'`, `export * from '…'`, and
// `import('…')`. Comments are removed first so that an example in a comment does not count.
const specifierPattern =
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function tsFiles(directory) {
  const files = [];
  for (const name of readdirSync(directory)) {
    if (name === 'node_modules') continue;
    const path = join(directory, name);
    if (statSync(path).isDirectory()) files.push(...tsFiles(path));
    else if (name.endsWith('.ts')) files.push(path);
  }
  return files;
}

/** What a specifier names, as a root-relative path with forward slashes, or as a package name. */
function target(root, file, specifier) {
  if (specifier.startsWith('.'))
    return relative(root, resolve(dirname(file), specifier))
      .split(sep)
      .join('/');
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const within = (path, folder) => path === folder || path.startsWith(`${folder}/`);

function findViolations(root) {
  const source = join(root, 'src');
  const violations = [];
  for (const file of tsFiles(source)) {
    const path = relative(root, file).split(sep).join('/');
    const applicable = rules.filter((rule) => within(path, rule.from));
    if (applicable.length === 0) continue;
    const text = withoutComments(readFileSync(file, 'utf8'));
    for (const match of text.matchAll(specifierPattern)) {
      const specifier = match[1] ?? match[2];
      const named = target(root, file, specifier);
      for (const rule of applicable) {
        const forbidden = rule.forbidden.find((folder) => within(named, folder));
        if (forbidden) violations.push({ file: path, specifier, forbidden, from: rule.from, why: rule.why });
      }
    }
  }
  return violations;
}

const args = process.argv.slice(2);
const report = args.includes('--report');
const root = resolve(args.find((arg) => !arg.startsWith('--')) ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const violations = findViolations(root);
for (const violation of violations) {
  console.log(
    `${violation.file}: imports '${violation.specifier}' (${violation.from} may not import ${violation.forbidden}: ${violation.why})`,
  );
}
const files = new Set(violations.map((violation) => violation.file)).size;
if (violations.length === 0) console.log('check-imports: no forbidden imports');
else console.log(`check-imports: ${violations.length} forbidden imports in ${files} files`);
process.exitCode = violations.length > 0 && !report ? 1 : 0;
