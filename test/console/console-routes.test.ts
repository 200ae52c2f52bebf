// The console's static files: served at / and /console/…, each with the Content-Security-Policy, the vendored
// browser modules byte for byte as installed in node_modules, every module the console imports present, and nothing
// else of the file system reachable.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { consoleContentSecurityPolicy } from '../../src/console/console-routes.ts';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';

const publicDirectory = join('src', 'console', 'public');

describe('console routes', () => {
  let server: TestFerry;
  before(async () => {
    server = await startFerry('sqlite', {}, { worker: false });
  });
  after(async () => {
    await server?.close();
  });

  test('/ is the console page, with a policy that allows script from this origin only', async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('content-security-policy'), consoleContentSecurityPolicy);
    assert.match(consoleContentSecurityPolicy, /script-src 'self'(;|$)/);
    assert.doesNotMatch(consoleContentSecurityPolicy, /unsafe/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const page = await response.text();
    assert.doesNotMatch(page, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in the page');
  });

  test('the vendored modules are the installed files, as JavaScript and CSS', async () => {
    const vendored = [
      ['preact-htm.js', 'node_modules/htm/preact/standalone.module.js', /^text\/javascript/],
      ['uplot.js', 'node_modules/uplot/dist/uPlot.esm.js', /^text\/javascript/],
      ['uplot.css', 'node_modules/uplot/dist/uPlot.min.css', /^text\/css/],
    ] as const;
    for (const [name, file, type] of vendored) {
      const response = await fetch(`${server.url}/console/vendor/${name}`);
      assert.equal(response.status, 200, name);
      assert.match(response.headers.get('content-type') ?? '', type);
      assert.equal(response.headers.get('content-security-policy'), consoleContentSecurityPolicy);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), readFileSync(file), `${name} is served as installed`);
    }
  });

  test('every module and stylesheet the console names is served', async () => {
    const named = new Set<string>();
    for (const file of readdirSync(publicDirectory)) {
      const text = readFileSync(join(publicDirectory, file), 'utf8');
      for (const match of text.matchAll(/(?:from\s+|href=|src=)['"](\/console\/[^'"]+)['"]/g)) named.add(match[1]);
    }
    assert.ok(named.size > 10, `found the console's references (${named.size})`);
    for (const path of named) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
    }
  });

  test('nothing but the listed files is reachable', async () => {
    for (const path of ['/console/nope.js', '/console/../package.json', '/console/%2e%2e/package.json', '/console/']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 404, path);
      assert.equal(((await response.json()) as { key: string }).key, 'route_not_found', path);
    }
  });
});
