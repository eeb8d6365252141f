// The API documentation pages in a browser (issue 15), run by e2e/run.sh
// beside portero.test.mjs: Swagger UI at /docs and ReDoc at /redoc load with
// a console free of errors (no 404 for an icon, no CSP refusal), and
// Swagger UI's "Authorize" logs in with a username and password through the
// OAuth2 password flow, after which "Try it out" calls the API with the
// bearer token it got. (Swagger UI's buttons carry aria-labels such as
// "Apply credentials", so they are found by their visible text.)
//
// Environment: PORTERO_URL, CHROMIUM (as for portero.test.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.PORTERO_URL ?? 'http://127.0.0.1:8000';
const EXECUTABLE = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ADMIN = { login: 'admin', password: 'admin-password-1' };

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});

after(async () => {
  if (browser) await browser.close();
});

/** A fresh browser context whose console, script errors and failed loads are all recorded. */
async function watchedPage() {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    requests.push({ url: response.url(), status: response.status(), request: response.request() });
    if (response.status() >= 400) problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return { context, page, problems, requests };
}

describe('API documentation pages', () => {
  test('Swagger UI loads with a clean console and its icons', async () => {
    const { context, page, problems, requests } = await watchedPage();
    const response = await page.goto('/docs/');
    assert.equal(response?.status(), 200);
    await page.locator('.information-container .title').first().waitFor();
    await page.locator('.opblock').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(problems, []);
    for (const icon of ['favicon-32x32.png', 'favicon-16x16.png']) {
      const loaded = requests.find((r) => r.url.endsWith(`/docs/${icon}`));
      if (loaded) assert.equal(loaded.status, 200, icon);
    }
    const iconStatus = await page.evaluate(async () => (await fetch('/docs/favicon-32x32.png')).status);
    assert.equal(iconStatus, 200);
    await context.close();
  });

  test('Authorize with a username and password, then Try it out sends the bearer token', async () => {
    const { context, page, problems, requests } = await watchedPage();
    await page.goto('/docs/');
    await page.locator('.opblock').first().waitFor();

    await page.locator('button.authorize').first().click();
    const modal = page.locator('.modal-ux');
    await modal.waitFor();
    const password = modal.locator('.auth-container').filter({ hasText: 'oauth2_password' });
    await password.locator('#oauth_username').fill(ADMIN.login);
    await password.locator('#oauth_password').fill(ADMIN.password);
    const [tokenResponse] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/token'),
      password.locator('button', { hasText: 'Authorize' }).click(),
    ]);
    assert.equal(tokenResponse.status(), 200, await tokenResponse.text());
    await password.locator('button', { hasText: 'Logout' }).waitFor();
    await password.locator('button', { hasText: 'Close' }).click();

    // GET /me through "Try it out": the answer is the administrator, and
    // the request carried the bearer token from the password flow.
    const operation = page.locator('#operations-Me-me');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    const [me] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/me'),
      operation.locator('button.execute').click(),
    ]);
    assert.equal(me.status(), 200);
    assert.equal((await me.json()).username, ADMIN.login);
    const authorization = await me.request().headerValue('authorization');
    assert.match(authorization ?? '', /^Bearer \S{20,}$/);
    await operation.locator('.live-responses-table tbody .response-col_status').first().waitFor();
    assert.match(await operation.locator('.live-responses-table tbody .response-col_status').first().textContent(), /200/);

    assert.ok(requests.some((r) => r.url.endsWith('/api/openapi.json') && r.status === 200));
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('ReDoc loads with a clean console and no foreign request', async () => {
    const { context, page, problems, requests } = await watchedPage();
    const response = await page.goto('/redoc');
    assert.equal(response?.status(), 200);
    await page.locator('.api-info h1').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    assert.match(await page.locator('.api-info h1').first().textContent(), /Portero API/);
    assert.deepEqual(problems, []);
    const foreign = requests.filter((r) => !r.url.startsWith(BASE_URL) && !r.url.startsWith('data:') && !r.url.startsWith('blob:'));
    assert.deepEqual(foreign.map((r) => r.url), []);
    await context.close();
  });
});
