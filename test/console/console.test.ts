// The web console in a real browser against a real Ferry on PostgreSQL: sign in, create a PostgreSQL connection and
// test it, create a model from SQL and see its preview, create a model sync and run it, follow its console log to
// the end, see the rows counted in the execution list, and cancel a long bulk sync. Along the way: the CSP header,
// no key in localStorage or in any URL, API errors beside the field they name, and no page wider than a phone at
// 390 px. Screenshots of each main page at 1280 and 390 px go to test-artifacts/console/ (not committed).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';
import { browserUnavailable, launchBrowser, type TestBrowser } from './browser.ts';

const artifacts = join('test-artifacts', 'console');
const bigRows = 1_500_000;
const skip = browserUnavailable() ?? (await postgresUnavailable());
if (skip) console.log(`# console browser suite skipped: ${skip}`);

async function sql(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe('the web console in Chromium', { skip, timeout: 150_000 }, () => {
  let server: TestFerry;
  let data: ScratchDatabase;
  let browser: TestBrowser;
  let page: Page;
  const requested: string[] = [];
  const pageErrors: string[] = [];
  /** The X-Polytomic-Version of every API request the console made. */
  const apiVersions = new Set<string | undefined>();
  /** Writes sent without an Idempotency-Key (there should be none). */
  const writesWithoutKey: string[] = [];

  before(async () => {
    data = await createPostgresDatabase('ferry_console');
    await sql(
      data.url,
      `create table people (id int primary key, name text, email text);
       insert into people select i, 'person ' || i, 'p' || i || '@example.com' from generate_series(1, 50) i;
       create table people_out (id int primary key, name text, email text);
       create table events (id int primary key, payload text);
       insert into events select i, md5(i::text) from generate_series(1, ${bigRows}) i;`,
    );
    server = await startFerry('postgres', { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true' });
    // A webhook on a closed port, so that the webhooks page has failed deliveries to show.
    const webhook = await call(server.url, 'POST', '/api/webhooks', {
      key: server.apiKey,
      body: { endpoint: 'http://127.0.0.1:9/hook', secret: 'a-webhook-secret-of-some-length' },
    });
    assert.equal(webhook.status, 200, webhook.text);
    mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => {
      requested.push(request.url());
      if (!new URL(request.url()).pathname.startsWith('/api/')) return;
      apiVersions.add(request.headers()['x-polytomic-version']);
      if (request.method() !== 'GET' && !request.headers()['idempotency-key']) writesWithoutKey.push(request.url());
    });
    page.on('framenavigated', (frame) => requested.push(frame.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Chrome logs what the Content-Security-Policy blocks (an inline style, a script) as console errors.
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
        pageErrors.push(message.text());
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await data?.drop();
  });

  /** The page at 1280 px and at 390 px, saved for review; at 390 px nothing may be wider than the screen. */
  async function shoot(name: string) {
    await page.screenshot({ path: join(artifacts, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(150);
    // Page functions run in the browser: given as text, since this file is compiled without the DOM's types.
    const overflow = (await page.evaluate(`(() => {
      const wide = [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > 391 && !element.parentElement?.closest('.table-wrap'))
        .map((element) => element.tagName.toLowerCase() + '.' + element.className);
      return { width: document.documentElement.scrollWidth, wide: wide.slice(0, 5) };
    })()`)) as { width: number; wide: string[] };
    assert.ok(
      overflow.width <= 390,
      `${name} fits 390 px (scroll width ${overflow.width}: ${overflow.wide.join(', ')})`,
    );
    await page.screenshot({ path: join(artifacts, `${name}-390.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  /** The control labelled `label` (a required field's label ends in an asterisk hidden from screen readers). */
  const field = (label: string) =>
    page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`));
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  test('serves the console with a policy that forbids inline script', async () => {
    const response = await page.goto(`${server.url}/`);
    const policy = response?.headers()['content-security-policy'] ?? '';
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
    await field('API key').waitFor();
  });

  test('signs in with an API key by keyboard (a wrong one is refused beside the field)', async () => {
    await field('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .locator('#api-key-error')
      .filter({ hasText: /invalid|revoked/i })
      .waitFor();
    // By keyboard, on a fresh page: the first Tab reaches the key field, and Enter submits.
    await page.reload();
    await field('API key').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.id'), 'api-key');
    await page.keyboard.type(server.apiKey);
    await page.keyboard.press('Enter');
    await heading('Connections').waitFor();
    await page.getByText('admin@localhost').waitFor();
  });

  test('creates a PostgreSQL connection from its schema form and tests it', async () => {
    await page.getByRole('link', { name: 'New connection' }).click();
    await field('Type').selectOption('postgresql');
    const database = new URL(data.url);
    await field('Host').fill(database.hostname);
    await field('Port').fill('1');
    await field('Database').fill(database.pathname.slice(1));
    await field('User name').fill('postgres');
    await field('Use SSL').uncheck();
    assert.equal(await field('Password').getAttribute('type'), 'password', 'the secret field is masked');
    await page.getByRole('button', { name: 'Test' }).click();
    const failed = page.locator('.test-result.failed');
    await failed.waitFor();
    assert.match((await failed.textContent()) ?? '', /The test failed\.[\s\S]*Reason: host_unreachable/);
    await field('Port').fill(database.port || '5432');
    await page.getByRole('button', { name: 'Test' }).click();
    await page.getByText('The connection works.').waitFor();
    // Without a name the API's 400 names `name`, and the console shows it under the Name field.
    await page.getByRole('button', { name: 'Create connection' }).click();
    const nameError = page.locator('#connection-name-error');
    await nameError.waitFor();
    assert.equal(await field('Name').getAttribute('aria-invalid'), 'true');
    await shoot('connection-form');
    await field('Name').fill('Warehouse');
    await page.getByRole('button', { name: 'Create connection' }).click();
    await heading('Connections').waitFor();
    const row = page.getByRole('row', { name: /Warehouse/ });
    await row.getByText('healthy').waitFor();
    await shoot('connections');
    // Editing shows the stored settings but never a secret, and tests with the stored ones.
    await row.getByRole('link', { name: 'Warehouse' }).click();
    await heading('Connection: Warehouse').waitFor();
    assert.equal(await field('Host').inputValue(), database.hostname);
    assert.equal(await field('Password').inputValue(), '');
    await page.getByText('Stored and hidden; leave empty to keep it.').first().waitFor();
    await page.getByRole('button', { name: 'Test' }).click();
    await page.getByText('The connection works.').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await heading('Connections').waitFor();
  });

  test('creates a model from SQL with a live preview of its fields and first rows', async () => {
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('link', { name: 'New model' }).click();
    await field('Name').fill('People');
    await field('Connection').selectOption({ label: 'Warehouse' });
    await field('SQL').fill('select id, name, email from people order by id');
    const preview = page.locator('.preview');
    await preview.getByRole('cell', { name: 'person 1', exact: true }).waitFor();
    assert.deepEqual(
      (await preview.locator('.chips li strong').allInnerTexts()).map((text) => text.trim()),
      ['id', 'name', 'email'],
    );
    assert.equal(await preview.locator('tbody tr').count(), 10, 'the first 10 rows');
    await field('Identifier field').selectOption('id');
    await shoot('model-form');
    await page.getByRole('button', { name: 'Create model' }).click();
    await heading('Models').waitFor();
    await page.getByRole('cell', { name: 'People' }).waitFor();
  });

  test('creates a model sync, runs it and follows its console log to the end', async () => {
    await page.getByRole('link', { name: 'Model syncs' }).click();
    await page.getByRole('link', { name: 'New model sync' }).click();
    await field('Name').fill('People to people_out');
    await field('Model').selectOption({ label: 'People' });
    await field('Target connection').selectOption({ label: 'Warehouse' });
    await page.locator('#sync-target-object option[value="public.people_out"]').waitFor({ state: 'attached' });
    await field('Target object').selectOption('public.people_out');
    await field('Mode').selectOption('updateOrCreate');
    await page.locator('#map-name option[value="name"]').waitFor({ state: 'attached' });
    assert.equal(await field('Matches target field').inputValue(), 'id');
    assert.equal(await page.locator('#map-email').inputValue(), 'email', 'same-named fields map by default');
    // A daily schedule without its time: the API's 422 lists schedule.hour and schedule.minute, each shown under its
    // field of the form generated from the schedule's JSON Schema, and nothing above the form.
    await field('Frequency').selectOption('daily');
    await page.getByRole('button', { name: 'Create model sync' }).click();
    await page.locator('#sync-schedule-hour-error').waitFor();
    await page.locator('#sync-schedule-minute-error').waitFor();
    assert.equal(await page.locator('.error-note').count(), 0);
    await field('Frequency').selectOption('manual');
    await page.getByRole('button', { name: 'Create model sync' }).click();
    await heading('Model sync: People to people_out').waitFor();
    await page.getByRole('button', { name: 'Start' }).click();
    await heading('Execution').waitFor();
    const log = page.getByRole('log');
    await log.getByText('Model sync completed').waitFor({ timeout: 30_000 });
    await page.locator('.facts').getByText('completed').waitFor();
    assert.equal(await page.getByTestId('execution-rows').textContent(), '50');
    // The record-log link is signed: it downloads without the key.
    const href = await page.getByRole('link', { name: 'records' }).getAttribute('href');
    assert.ok(href && !href.includes(server.apiKey));
    const download = await fetch(new URL(href, server.url));
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/gzip');
    await shoot('execution');
    assert.deepEqual(await sql(data.url, 'select count(*)::int as n from people_out'), [{ n: 50 }]);
  });

  test('counts the new rows in the execution list, with the chart', async () => {
    await page.getByRole('link', { name: 'Back to the sync' }).click();
    await heading('Model sync: People to people_out').waitFor();
    const row = page.locator('table.executions tbody tr').first();
    await row.getByText('completed').waitFor();
    assert.equal(await row.locator('[data-column="rows"]').textContent(), '50');
    await page.locator('.chart canvas').waitFor();
    await shoot('model-sync');
    await page.getByRole('link', { name: 'Model syncs' }).click();
    await page
      .getByRole('row', { name: /People to people_out/ })
      .getByText('completed')
      .waitFor();
    await field('Filter by name, target or status').fill('nothing like it');
    await page.getByText('No model syncs match the filter.').waitFor();
    await field('Filter by name, target or status').fill('people');
    await shoot('model-syncs');
  });

  test('cancels a long bulk sync', async () => {
    await page.getByRole('link', { name: 'Bulk syncs' }).click();
    await page.getByRole('link', { name: 'New bulk sync' }).click();
    await field('Name').fill('Copy everything');
    await field('Source').selectOption({ label: 'Warehouse' });
    await field('Destination').selectOption({ label: 'Warehouse' });
    await field('Destination schema').fill('copy');
    await page.getByRole('button', { name: 'Create bulk sync' }).click();
    await heading('Bulk sync: Copy everything').waitFor();
    // The schemas' switches and output names are saved with PATCH …/schemas and read back.
    await page.getByRole('switch', { name: 'Copy public.people_out' }).uncheck();
    await page.getByRole('textbox', { name: 'Output name of public.people', exact: true }).fill('people_copy');
    const saved = page.waitForResponse((response) => response.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'Save schemas' }).click();
    assert.equal((await saved).status(), 200);
    await page.reload();
    await heading('Bulk sync: Copy everything').waitFor();
    assert.equal(await page.getByRole('switch', { name: 'Copy public.people_out' }).isChecked(), false);
    assert.equal(
      await page.getByRole('textbox', { name: 'Output name of public.people', exact: true }).inputValue(),
      'people_copy',
    );
    await page.getByRole('button', { name: 'Start' }).click();
    const cancel = page.getByRole('button', { name: 'Cancel run' });
    await cancel.click({ timeout: 15_000 });
    const row = page.locator('table.executions tbody tr').first();
    await row.getByText('canceled').waitFor({ timeout: 30_000 });
    const [copied] = await sql(
      data.url,
      "select coalesce((select count(*)::int from copy.events where to_regclass('copy.events') is not null), 0) as n",
    ).catch(() => [{ n: 0 }]);
    assert.ok(copied.n < bigRows, `the copy stopped early (${copied.n} of ${bigRows} rows)`);
    await shoot('bulk-sync');
    await row.getByRole('link').click();
    await heading('Execution').waitFor();
    await field('Console log of').selectOption('public.events');
    await page.getByRole('log').locator('li').first().waitFor();
    await shoot('bulk-execution');
    await page.getByRole('link', { name: 'Bulk syncs' }).click();
    await page.getByRole('row', { name: /Copy everything/ }).waitFor();
    await shoot('bulk-syncs');
  });

  test('shows the events and the webhook deliveries', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('cell', { name: 'sync.completed' }).first().waitFor();
    await page.getByRole('cell', { name: 'bulk_sync.canceled' }).first().waitFor();
    await shoot('events');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: /127\.0\.0\.1:9\/hook/ }).waitFor();
    await page.getByText('ECONNREFUSED').first().waitFor({ timeout: 20_000 });
    await shoot('webhooks');
  });

  test('keeps the key out of localStorage and every URL, and runs without script errors', async () => {
    const storage = (await page.evaluate(
      '({ local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }) })',
    )) as { local: string; session: string };
    assert.ok(!storage.local.includes(server.apiKey), 'no key in localStorage');
    assert.ok(storage.session.includes(server.apiKey), 'the key is in sessionStorage');
    assert.ok(requested.length > 20);
    assert.deepEqual(
      requested.filter((url) => url.includes(server.apiKey)),
      [],
      'no request or page URL carries the key',
    );
    assert.deepEqual(pageErrors, []);
    assert.deepEqual([...apiVersions], ['2025-09-18'], 'every API call names the version the console was written for');
    assert.deepEqual(writesWithoutKey, [], 'every write sends an Idempotency-Key');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await field('API key').waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0, 'signing out forgets the key');
  });

  test('a partner key switches organization with a key it issues for one of its users', async () => {
    const organization = await call(server.url, 'POST', '/api/organizations', {
      key: server.partnerKey,
      body: { name: 'Acme' },
    });
    assert.equal(organization.status, 200, organization.text);
    const user = await call(server.url, 'POST', `/api/organizations/${organization.body.data.id}/users`, {
      key: server.partnerKey,
      body: { email: 'ops@acme.example', role: 'admin' },
    });
    assert.equal(user.status, 200, user.text);
    await field('API key').fill(server.partnerKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('partner key').waitFor();
    await page.getByRole('link', { name: 'Switch organization' }).click();
    await field('Organization').selectOption({ label: 'Acme' });
    await field('Act in Acme as').selectOption({ label: 'ops@acme.example (admin)' });
    await page.getByRole('button', { name: 'Issue a key and switch' }).click();
    await heading('Connections').waitFor();
    await page.locator('.organization').filter({ hasText: 'Acme' }).waitFor();
    await page.getByText('No connections yet.').waitFor();
    await page.getByRole('link', { name: 'Switch organization' }).click();
    await page.getByRole('button', { name: 'Back to the partner key' }).click();
    await page.locator('.organization').filter({ hasText: 'Default organization' }).waitFor();
    const stored = String(await page.evaluate('JSON.stringify({ ...localStorage })'));
    assert.equal(stored, '{}', 'nothing in localStorage');
    assert.deepEqual(
      requested.filter((url) => url.includes(server.partnerKey)),
      [],
      'no URL carries the partner key',
    );
  });
});
