// The web console: static files only. `/` is its page, `/console/<file>` its own scripts and styles
// (src/console/public), `/console/vendor/<file>` the few browser modules it takes from node_modules, served as they
// are installed (no build step). The console is a client of the public versioned API like any script: nothing here
// reads the database or calls a service. Every response carries a Content-Security-Policy that allows script from
// this origin only, so no inline script, injected or not, can run beside the API key the page holds.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Script and style from this origin only; no framing, no plugins, no form posts elsewhere, no referrer. */
export const consoleContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

interface StaticFile {
  body: Buffer;
  type: string;
}

const require = createRequire(import.meta.url);

/**
 * The browser modules, by the name the console imports them under. htm's standalone build is Preact, its hooks and
 * htm in one ES module without imports, so the page needs no import map (an import map is inline script, which
 * the policy forbids). uPlot's ES build has no imports either.
 */
const vendorFiles: Record<string, [packageName: string, file: string]> = {
  'preact-htm.js': ['htm', 'preact/standalone.module.js'],
  'uplot.js': ['uplot', 'dist/uPlot.esm.js'],
  'uplot.css': ['uplot', 'dist/uPlot.min.css'],
};

/**
 * A file of an installed package, found where Node would look for the package. Not through require.resolve: the
 * browser builds are not all in the packages' "exports".
 */
function packageFile(packageName: string, file: string): string {
  for (const directory of require.resolve.paths(packageName) ?? []) {
    const path = join(directory, packageName, file);
    if (existsSync(path)) return path;
  }
  throw new Error(`The console needs ${packageName}/${file}: run npm install.`);
}

function load(path: string): StaticFile {
  return { body: readFileSync(path), type: contentTypes[extname(path)] ?? 'application/octet-stream' };
}

/** The files are read once at start: the set is small and fixed, and no request path ever reaches the file system. */
function consoleFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const publicDirectory = fileURLToPath(new URL('./public/', import.meta.url));
  for (const name of readdirSync(publicDirectory)) files.set(`/console/${name}`, load(join(publicDirectory, name)));
  for (const [name, [packageName, file]] of Object.entries(vendorFiles)) {
    files.set(`/console/vendor/${name}`, load(packageFile(packageName, file)));
  }
  return files;
}

function send(reply: FastifyReply, file: StaticFile) {
  return reply
    .header('content-security-policy', consoleContentSecurityPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .type(file.type)
    .send(file.body);
}

export function registerConsole(app: FastifyInstance): void {
  const files = consoleFiles();
  const page = files.get('/console/index.html')!;
  app.get('/', (_request, reply) => send(reply, page));
  for (const [path, file] of files) {
    if (file !== page) app.get(path, (_request, reply) => send(reply, file));
  }
}
