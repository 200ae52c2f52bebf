// GET /llms.txt and /llms-full.txt on a real server, checked against their sources: every docs/*.md page is linked
// (and the link serves that page), and every operation of the default version's OpenAPI document is listed, so
// neither can fall behind the docs or the routes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';

const docsDirectory = join(process.cwd(), 'docs');
const docFiles = readdirSync(docsDirectory).filter((name) => name.endsWith('.md'));

describe('llms.txt', () => {
  let server: TestFerry;
  before(async () => {
    server = await startFerry('sqlite', {}, { worker: false });
  });
  after(() => server?.close());

  test('follows the convention: H1 title, summary blockquote, sections of links; no key needed', async () => {
    const response = await call(server.url, 'GET', '/llms.txt');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/markdown/);
    const lines = response.text.split('\n');
    assert.equal(lines[0], '# Ferry');
    assert.equal(lines[1], '');
    assert.match(lines[2]!, /^> Ferry is a self-hosted data-sync server/);
    for (const section of ['## Docs', '## API', '## Optional']) assert.ok(lines.includes(section), section);
    for (const line of lines.filter((text) => text.startsWith('- '))) {
      assert.match(line, /^- \[[^\]]+\]\(http:\/\/[^)]+\)(: .+)?$/, line);
    }
    assert.ok(response.text.includes(`${server.url}/api/openapi.json?version=2024-02-08`));
    assert.ok(response.text.includes(`${server.url}/mcp`));
  });

  test('links every docs/*.md page with its title, and each link serves that page', async () => {
    const index = (await call(server.url, 'GET', '/llms.txt')).text;
    assert.ok(docFiles.length > 10);
    for (const file of docFiles) {
      const text = readFileSync(join(docsDirectory, file), 'utf8');
      const title = /^# (.+)$/m.exec(text)![1];
      assert.ok(index.includes(`- [${title}](${server.url}/docs/${file}): `), file);
      const page = await call(server.url, 'GET', `/docs/${file}`);
      assert.equal(page.status, 200, file);
      assert.equal(page.text, text);
    }
    for (const path of ['/docs/nope.md', '/docs/..%2Fpackage.json', '/docs/%2E%2E%2FREADME.md']) {
      const missing = await call(server.url, 'GET', path);
      assert.equal(missing.status, 404, path);
      assert.equal(missing.body.key, 'route_not_found');
    }
  });

  test('llms-full.txt lists every operation of the default version and holds the text of every page', async () => {
    const full = (await call(server.url, 'GET', '/llms-full.txt')).text;
    const openApi = (await call(server.url, 'GET', '/api/openapi.json')).body;
    let operations = 0;
    for (const [path, item] of Object.entries(
      openApi.paths as Record<string, Record<string, { operationId: string }>>,
    )) {
      for (const [method, operation] of Object.entries(item)) {
        operations += 1;
        assert.ok(
          full.includes(`- \`${method.toUpperCase()} ${path}\` (${operation.operationId})`),
          `${method} ${path}`,
        );
      }
    }
    assert.ok(operations > 100, String(operations));
    assert.match(full, /- `GET \/api\/versions` \(ferry\.versions\.list\) \[no key\]: /);
    const index = (await call(server.url, 'GET', '/llms.txt')).text;
    assert.ok(index.includes(`${operations} operations`));
    for (const file of docFiles) {
      assert.ok(full.includes(`## docs/${file}\n`), file);
      // Every line of prose is there as written (headings are nested under the page's section).
      for (const line of readFileSync(join(docsDirectory, file), 'utf8').split('\n')) {
        if (line.trim() && !line.startsWith('#')) assert.ok(full.includes(line), `${file}: ${line}`);
      }
    }
  });
});
