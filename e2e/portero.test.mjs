// Browser end-to-end tests for Portero, run by e2e/run.sh with node's test
// runner. One headless Chromium; each person is a browser context of their own
// (own cookies), so "log in from a second browser" is a second context.
//
// Environment: PORTERO_URL (the server), E2E_SCREENSHOT_DIR (where the PNGs
// go), CHROMIUM (the browser binary, default /usr/bin/chromium).
//
// Every page is watched: a Content-Security-Policy violation, an uncaught
// script error or a 5xx answer fails the scenario that caused it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.PORTERO_URL ?? 'http://127.0.0.1:8000';
const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? 'target/e2e-screenshots';
const EXECUTABLE = process.env.CHROMIUM ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1200, height: 800 };

const ADMIN = { login: 'admin', password: 'admin-password-1' };
const DEMO_PASSWORD = 'demo-password';
const ALICE = {
  username: 'alice_e2e',
  email: 'alice.e2e@example.com',
  first_name: 'Alice',
  last_name: 'Tester',
  password: 'correct-horse-battery-1',
  new_password: 'another-long-secret-2',
};
const VICTIM = 'user0000003';

let browser;
/** Why Chromium did not start, if it did not: every scenario then fails. */
let launchError = null;
/** Chromium's own user agent: sessions pages then look as they would for real. */
let defaultUserAgent = '';
/** Problems seen on any page since the last `expectCleanPages()`. */
let problems = [];
/** Everything seen, for the summary at the end. */
const allProblems = [];
const notes = [];

mkdirSync(SHOTS, { recursive: true });

function record(kind, text, url) {
  const entry = { kind, text, url };
  problems.push(entry);
  allProblems.push(entry);
}

function isCsp(text) {
  return /content security policy|securitypolicyviolation|CSP violation/i.test(text);
}

/** A browser context as one person: own cookies, watched for problems. */
async function newPerson(name) {
  if (!browser) throw new Error(`Chromium did not start: ${launchError?.message ?? 'unknown reason'}`);
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport: VIEWPORT,
    userAgent: `${defaultUserAgent} Portero-e2e/${name}`.trim(),
  });
  // The page's own report of every CSP violation, on top of Chromium's
  // console message (init scripts are exempt from the page's CSP).
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || document.URL}:${e.lineNumber}`,
      );
    });
  });
  context.on('page', (page) => watch(page, name));
  context.on('response', (response) => {
    if (response.status() >= 500) {
      record('http-5xx', `${response.status()} ${response.request().method()} ${response.url()}`, response.url());
    } else if (response.status() === 404 && new URL(response.url()).pathname.startsWith('/static/')) {
      record('static-404', `404 ${response.url()}`, response.url());
    }
  });
  const page = await context.newPage();
  return { name, context, page };
}

function watch(page, who) {
  page.on('console', (msg) => {
    const text = msg.text();
    if (isCsp(text)) record('csp', `[${who}] ${text}`, page.url());
    // A form answered 401/409/422 is logged by Chromium as a failed load:
    // expected here, and the statuses are checked by the tests themselves.
    else if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    else if (msg.type() === 'error') record('console-error', `[${who}] ${text}`, page.url());
  });
  page.on('pageerror', (error) => record('page-error', `[${who}] ${error.message}`, page.url()));
}

/** Fails on CSP violations, script errors and server errors seen so far. */
function expectCleanPages() {
  const seen = problems;
  problems = [];
  const fatal = seen.filter((p) => ['csp', 'page-error', 'http-5xx'].includes(p.kind));
  for (const p of seen.filter((p) => !fatal.includes(p))) notes.push(`${p.kind}: ${p.text} (on ${p.url})`);
  assert.deepEqual(fatal, [], `problems seen in the browser:\n${fatal.map((p) => `${p.kind}: ${p.text} (on ${p.url})`).join('\n')}`);
}

/** Viewport-only PNG (1200x800) for the README: readme-<name>.png. */
async function docShot(page, name) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: join(SHOTS, `readme-${name}.png`), fullPage: false });
}

/** Full-page PNG under target/, plus a check for horizontal overflow. */
async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) notes.push(`layout: ${name} (${page.url()}) is ${overflow}px wider than the ${VIEWPORT.width}px viewport`);
  // A table too wide for its scrolling wrapper hides its last columns.
  const clipped = await page.evaluate(() =>
    [...document.querySelectorAll('.table-wrap')]
      .filter((w) => w.scrollWidth > w.clientWidth + 1)
      .map((w) => `${w.querySelector('caption')?.textContent.trim() || 'a table'}: ${w.scrollWidth - w.clientWidth}px cut off`),
  );
  for (const c of clipped) notes.push(`layout: ${name} (${page.url()}): ${c} (scrolls sideways at ${VIEWPORT.width}px)`);
}

async function go(page, path, expectedStatus = 200) {
  const response = await page.goto(path);
  assert.ok(response, `no response for ${path}`);
  assert.equal(response.status(), expectedStatus, `GET ${path}: status`);
  return response;
}

function pathOf(page) {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

async function flashText(page) {
  return (await page.locator('main .flash').first().textContent())?.trim() ?? '';
}

async function logIn(page, login, password, path = '/login') {
  await go(page, path);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Log in', exact: true }).click()]);
  await page.waitForURL((url) => url.pathname !== '/login');
}

async function navUser(page) {
  const nav = page.locator('.nav-user strong');
  return (await nav.count()) ? (await nav.textContent()).trim() : null;
}

before(async () => {
  try {
    await launch();
  } catch (error) {
    launchError = error;
  }
});

async function launch() {
  browser = await chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  const probe = await browser.newPage();
  defaultUserAgent = (await probe.evaluate(() => navigator.userAgent)).replace('HeadlessChrome', 'Chrome');
  await probe.close();
}

after(async () => {
  if (browser) await browser.close();
  if (notes.length) {
    console.log(`# notes from the browser (not failures):\n${notes.map((n) => `#   ${n}`).join('\n')}`);
  }
});

describe('Portero in a browser', () => {
  /** alice's browser, kept across the account scenarios. */
  let alice;

  test('the browser starts and the CSP watcher catches a violation', async () => {
    assert.ifError(launchError);
    assert.ok(browser?.isConnected(), 'Chromium did not start');
    const probe = await newPerson('probe');
    await go(probe.page, '/');
    // An inline style and a foreign image, both forbidden by Portero's CSP.
    await probe.page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<img alt="" src="https://example.invalid/x.png">');
      const style = document.createElement('style');
      style.textContent = 'body { color: red }';
      document.head.append(style);
    });
    await probe.page.waitForTimeout(200);
    const csp = problems.filter((p) => p.kind === 'csp');
    assert.ok(csp.length >= 1, 'the CSP watcher saw nothing: the CSP check would be blind');
    // These were provoked on purpose: forget them.
    problems = [];
    allProblems.length = 0;
    await probe.context.close();
  });

  test('sign up: a field error first, then the account is created', async () => {
    alice = await newPerson('alice');
    const { page } = alice;
    await go(page, '/');
    assert.match(await page.locator('main').textContent(), /You are not logged in/);
    await shot(page, '01-home');

    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.waitForURL('**/signup');
    await page.locator('#username').fill(ALICE.username);
    await page.locator('#email').fill(ALICE.email);
    await page.locator('#first_name').fill(ALICE.first_name);
    await page.locator('#last_name').fill(ALICE.last_name);
    await page.locator('#password').fill('short1');
    await page.locator('#password_confirm').fill('short1');
    const [bad] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/signup')),
      page.getByRole('button', { name: 'Sign up' }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(bad.status(), 422, 'a too-short password is 422');
    assert.equal(new URL(page.url()).pathname, '/signup');
    assert.match(await page.locator('main .flash.error').textContent(), /correct the fields/);
    const passwordError = page.locator('#password-error-1');
    assert.equal(await passwordError.count(), 1, 'the password field has its own error message');
    assert.match(await passwordError.textContent(), /8/);
    assert.equal(await page.locator('#password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#username').inputValue(), ALICE.username, 'entered values are kept');
    assert.equal(await page.locator('#email').inputValue(), ALICE.email);
    assert.equal(await page.locator('#password').inputValue(), '', 'a password is never sent back');
    await shot(page, '02-signup-errors');

    await page.locator('#password').fill(ALICE.password);
    await page.locator('#password_confirm').fill(ALICE.password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL('**/account');
    assert.match(await flashText(page), /Welcome, Alice!/);
    assert.equal(await navUser(page), ALICE.username);
    expectCleanPages();
  });

  test('log out', async () => {
    const { page } = alice;
    await page.locator('.nav-user').getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.match(await flashText(page), /logged out/);
    assert.equal(await navUser(page), null);
    // The session is gone: a user page now asks to log in.
    await page.goto('/account');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/account');
    expectCleanPages();
  });

  test('log in with ?next=/account/sessions lands there', async () => {
    const { page } = alice;
    // A wrong password first: one message, no hint which part was wrong.
    await go(page, '/login?next=/account/sessions');
    await page.locator('#login').fill(ALICE.username);
    await page.locator('#password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main .flash.error').textContent(), /Wrong username, e-mail or password/);
    assert.equal(await page.locator('input[name=next]').inputValue(), '/account/sessions', 'next survives a failed attempt');

    await page.locator('#password').fill(ALICE.password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL('**/account/sessions');
    assert.equal(pathOf(page), '/account/sessions');
    assert.equal(await navUser(page), ALICE.username);
    assert.match(await page.locator('h1').textContent(), /Where you are logged in/);
    expectCleanPages();
  });

  test('edit the profile: a field error, then a fix with a flash message', async () => {
    const { page } = alice;
    await go(page, '/account');
    // Taken by a demo user: passes the browser's own checks, refused by Portero.
    await page.locator('#email').fill('user0000001@example.com');
    await page.locator('#first_name').fill('Alicia');
    const [bad] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/account')),
      page.getByRole('button', { name: 'Save profile' }).click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(bad.status(), 409, 'a taken e-mail is 409');
    assert.match(await page.locator('main .flash.error').first().textContent(), /profile was not saved/);
    assert.equal(await page.locator('#email-error-1').count(), 1, 'the e-mail field has its own error');
    assert.equal(await page.locator('#first_name').inputValue(), 'Alicia', 'entered values are kept');

    await page.locator('#email').fill('Alice.Renamed@Example.com');
    await page.locator('#phone').fill('+41 44 123 45 67');
    await page.locator('#address').fill('Bahnhofstrasse 1\n8001 Zürich');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.waitForURL('**/account');
    assert.match(await flashText(page), /Your profile was saved/);
    assert.equal(await page.locator('#email').inputValue(), 'alice.renamed@example.com', 'e-mail stored lower-case');
    assert.equal(await page.locator('#first_name').inputValue(), 'Alicia');
    assert.equal(await page.locator('#phone').inputValue(), '+41 44 123 45 67');
    assert.equal((await page.locator('#address').inputValue()).trim(), 'Bahnhofstrasse 1\n8001 Zürich');
    await shot(page, '03-account');
    expectCleanPages();
  });

  test('change password: a wrong current password first, then the change', async () => {
    const { page } = alice;
    await go(page, '/account');
    await page.locator('#current_password').fill('wrong-current-password');
    await page.locator('#new_password').fill(ALICE.new_password);
    await page.locator('#new_password_confirm').fill(ALICE.new_password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main .flash.error').first().textContent(), /password was not changed/);
    assert.equal(await page.locator('#current_password-error-1').count(), 1, 'error on the current password');

    await page.locator('#current_password').fill(ALICE.password);
    await page.locator('#new_password').fill(ALICE.new_password);
    await page.locator('#new_password_confirm').fill(ALICE.new_password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL('**/account');
    assert.match(await flashText(page), /Your password was changed/);
    assert.equal(await navUser(page), ALICE.username, 'this session stays logged in');

    // The old password no longer works, the new one does (in another browser).
    const other = await newPerson('alice-check');
    await go(other.page, '/login');
    await other.page.locator('#login').fill(ALICE.username);
    await other.page.locator('#password').fill(ALICE.password);
    await other.page.getByRole('button', { name: 'Log in', exact: true }).click();
    await other.page.waitForLoadState('load');
    assert.equal(new URL(other.page.url()).pathname, '/login', 'the old password is refused');
    await other.context.close();
    expectCleanPages();
  });

  test('sessions: log in from a second browser, see both, revoke the other one', async () => {
    const phone = await newPerson('alice-phone');
    await logIn(phone.page, 'alice.renamed@example.com', ALICE.new_password);
    assert.equal(await navUser(phone.page), ALICE.username, 'login by e-mail works');

    const { page } = alice;
    await go(page, '/account/sessions');
    const rows = page.locator('table tbody tr');
    assert.equal(await rows.count(), 2, 'two active sessions');
    assert.equal(await page.locator('tbody .badge.active').count(), 1, 'one marked as this session');
    // The table shows a short browser name; the full user agent is its tooltip.
    assert.equal(await page.locator('table [title*="alice-phone"]').count(), 1, 'the user agent is shown');
    await shot(page, '04-sessions');

    const otherRow = rows.filter({ has: page.locator('[title*="Portero-e2e/alice-phone"]') });
    await otherRow.getByRole('button').click();
    await page.waitForURL('**/account/sessions');
    assert.match(await flashText(page), /session was logged out/);
    assert.equal(await rows.count(), 1, 'one session left');
    assert.equal(await page.locator('tbody .badge.active').count(), 1, 'the one left is this one');

    // The phone is logged out on its next click.
    await phone.page.getByRole('link', { name: 'Account', exact: true }).click();
    await phone.page.waitForLoadState('load');
    assert.equal(new URL(phone.page.url()).pathname, '/login', 'the revoked browser is sent to /login');
    assert.equal(await navUser(phone.page), null);
    await phone.context.close();
    expectCleanPages();
  });

  test('buy a product from /products through the basket and see the sale', async () => {
    const { page } = alice;
    await go(page, '/products');
    const first = page.locator('table tbody tr').filter({ has: page.locator('input.qty') }).first();
    const name = (await first.locator('td a').first().textContent()).trim();
    const stockBefore = Number((await first.locator('td').nth(2).textContent()).trim());
    assert.ok(stockBefore >= 2, `enough stock of ${name} (${stockBefore})`);
    await docShot(page, 'products');
    await first.locator('input.qty').fill('2');
    await shot(page, '05-products');
    await page.getByRole('button', { name: 'Add to basket', exact: true }).click();
    await page.waitForLoadState('load');
    assert.match(await flashText(page), /Added to your basket/);
    await go(page, '/cart');
    const line = page.locator('#cart-form input.qty');
    assert.equal(await line.count(), 1, 'one line in the basket');
    assert.equal(await line.inputValue(), '2');
    await page.getByRole('button', { name: /^Check out and pay/ }).click();
    await page.waitForURL(/\/sales\/\d+$/);
    const saleId = Number(new URL(page.url()).pathname.split('/').pop());
    assert.match(await flashText(page), /Thank you! You paid/);
    assert.match(await page.locator('h1').textContent(), new RegExp(`Purchase #${saleId}`));
    const item = page.locator('table tbody tr');
    assert.equal(await item.count(), 1, 'one line in the sale');
    assert.equal((await item.locator('td').nth(0).textContent()).trim(), name);
    assert.equal((await item.locator('td').nth(1).textContent()).trim(), '2');
    await shot(page, '06-sale');

    // The stock went down by 2 and the purchase is in the list.
    await go(page, '/products');
    const again = page.locator('table tbody tr').filter({ hasText: name }).first();
    assert.equal(Number((await again.locator('td').nth(2).textContent()).trim()), stockBefore - 2);
    await go(page, '/sales');
    assert.equal(await page.locator(`a[href="/sales/${saleId}"]`).count(), 1);
    expectCleanPages();
  });

  test('a non-admin gets a friendly 403 on /admin', async () => {
    const { page } = alice;
    await go(page, '/admin', 403);
    assert.match(await page.locator('h1').textContent(), /\(403\)/);
    assert.match(await page.locator('main').textContent(), /ask an administrator/);
    await shot(page, '11-forbidden');
    expectCleanPages();
  });

  test('admin: search users, deactivate one (their browser is logged out on its next click), audit log', async () => {
    // The victim logs in first, in a browser of their own.
    const victim = await newPerson('victim');
    await logIn(victim.page, VICTIM, DEMO_PASSWORD);
    assert.equal(await navUser(victim.page), VICTIM);

    const admin = await newPerson('admin');
    const { page } = admin;
    await logIn(page, ADMIN.login, ADMIN.password, '/login?next=/admin');
    assert.equal(pathOf(page), '/admin');
    assert.match(await page.locator('h1').textContent(), /Admin dashboard/);
    assert.equal((await page.locator('.card .number').first().textContent()).trim(), '42', '40 demo users + admin + alice');
    await shot(page, '07-admin-dashboard');
    await go(page, '/admin'); // without the "logged in" flash
    await docShot(page, 'admin-dashboard');

    await go(page, '/admin/users?q=user0000');
    const rows = page.locator('table tbody tr');
    const count = await rows.count();
    assert.ok(count > 0, 'the search finds the demo users');
    for (const text of await rows.locator('td:first-child').allTextContents()) {
      assert.match(text, /user0000/, `every row matches the search: ${text}`);
    }
    assert.equal(await page.locator('#q').inputValue(), 'user0000', 'the search box keeps the query');
    assert.match(await page.locator('p[role=status]').textContent(), /40 users found/);
    await shot(page, '08-admin-users');

    // A narrower search, then the victim's page.
    await page.locator('#q').fill(VICTIM);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/q=user0000003/);
    assert.equal(await rows.count(), 1);
    await rows.getByRole('link', { name: VICTIM }).click();
    await page.waitForURL(/\/admin\/users\/\d+$/);
    assert.equal(await page.locator('#sessions-heading + .table-wrap tbody tr, section[aria-labelledby=sessions-heading] tbody tr').count(), 1, 'the victim has one session');
    await shot(page, '09-admin-user');

    await page.locator('#is_active').uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForLoadState('load');
    assert.match(await flashText(page), new RegExp(`Saved ${VICTIM}`));
    assert.equal(await page.locator('h1 .badge.inactive').count(), 1, 'marked inactive');
    assert.match(await page.locator('section[aria-labelledby=sessions-heading]').textContent(), /not logged in anywhere/);

    // The victim's next click lands on the login page, logged out.
    await victim.page.getByRole('link', { name: 'Account', exact: true }).click();
    await victim.page.waitForLoadState('load');
    assert.equal(new URL(victim.page.url()).pathname, '/login', 'a deactivated user is sent to /login');
    assert.equal(await navUser(victim.page), null);
    // …and cannot log in again.
    await victim.page.locator('#login').fill(VICTIM);
    await victim.page.locator('#password').fill(DEMO_PASSWORD);
    await victim.page.getByRole('button', { name: 'Log in', exact: true }).click();
    await victim.page.waitForLoadState('load');
    assert.equal(new URL(victim.page.url()).pathname, '/login', 'an inactive user cannot log in');
    await victim.context.close();

    // The user page links to that user's part of the audit log.
    await page.getByRole('link', { name: `Everything ${VICTIM} did, in the audit log` }).click();
    await page.waitForURL(/\/admin\/audit\?actor=/);
    const own = await page.locator('table tbody tr td:nth-child(2)').allTextContents();
    assert.ok(own.length > 0, `events by ${VICTIM}`);
    // The audit log reads as sentences that start with who acted.
    for (const sentence of own) assert.ok(sentence.trim().startsWith(`${VICTIM} `), sentence);

    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/admin');
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/admin/audit' && url.search === '');
    const audit = await page.locator('table tbody').textContent();
    for (const action of ['user_deactivate', 'login', 'login_failed', 'logout', 'password_change']) {
      assert.match(audit, new RegExp(`\\b${action}\\b`), `the audit log shows ${action}`);
    }
    const newest = page.locator('table tbody tr').first();
    assert.match(await newest.textContent(), /login_failed/, 'newest first: the inactive user’s failed login');
    const deactivation = page.locator('table tbody tr').filter({ hasText: 'user_deactivate' }).first();
    assert.match(await deactivation.textContent(), new RegExp(`admin[\\s\\S]*${VICTIM}`));
    await shot(page, '10-admin-audit');
    await admin.context.close();
    expectCleanPages();
  });

  test('no CSP violation, script error or server error on any page', () => {
    const fatal = allProblems.filter((p) => ['csp', 'page-error', 'http-5xx'].includes(p.kind));
    assert.deepEqual(fatal.map((p) => `${p.kind}: ${p.text} (on ${p.url})`), []);
  });
});
