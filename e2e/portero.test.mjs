// Browser end-to-end tests for Portero, run by e2e/run.sh with node's test
// runner. One headless Chromium; each person is a browser context of their own
// (own cookies), so "log in from a second browser" is a second context.
//
// Environment: PORTERO_URL (the server), E2E_SCREENSHOT_DIR (where the PNGs
// go), CHROMIUM (the browser binary, default /usr/bin/chromium), E2E_MAIL_DIR
// (where e2e/smtp-sink.mjs writes the messages Portero sends).
//
// Every page is watched: a Content-Security-Policy violation, an uncaught
// script error or a 5xx answer fails the scenario that caused it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.PORTERO_URL ?? 'http://127.0.0.1:8000';
const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? 'target/e2e-screenshots';
const EXECUTABLE = process.env.CHROMIUM ?? '/usr/bin/chromium';
const MAIL_DIR = process.env.E2E_MAIL_DIR ?? '';
/** The two widths every journey runs at: a laptop and a phone. */
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const WIDTHS = [
  ['1280px', DESKTOP],
  ['390px', PHONE],
];
const VIEWPORT = DESKTOP;
/** axe-core, from npm (pinned in package.json), injected into each page audited. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

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
async function newPerson(name, viewport = VIEWPORT, options = {}) {
  if (!browser) throw new Error(`Chromium did not start: ${launchError?.message ?? 'unknown reason'}`);
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport,
    userAgent: `${defaultUserAgent} Portero-e2e/${name}`.trim(),
    acceptDownloads: true,
    ...options,
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

/** Viewport-only PNG (1280x800) for the README: readme-<name>.png. */
async function docShot(page, name) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: join(SHOTS, `readme-${name}.png`), fullPage: false });
}

/** Full-page PNG under target/, plus a check for horizontal overflow. */
async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const width = page.viewportSize()?.width ?? VIEWPORT.width;
  if (overflow > 0) notes.push(`layout: ${name} (${page.url()}) is ${overflow}px wider than the ${width}px viewport`);
  // A table too wide for its scrolling wrapper hides its last columns.
  const clipped = await page.evaluate(() =>
    [...document.querySelectorAll('.table-wrap')]
      .filter((w) => w.scrollWidth > w.clientWidth + 1)
      .map((w) => `${w.querySelector('caption')?.textContent.trim() || 'a table'}: ${w.scrollWidth - w.clientWidth}px cut off`),
  );
  for (const c of clipped) notes.push(`layout: ${name} (${page.url()}): ${c} (scrolls sideways at ${width}px)`);
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

/** Who the header says is logged in ("Logged in as NAME"), or null. */
async function navUser(page) {
  const nav = page.locator('.nav-user span').first();
  if (!(await nav.count())) return null;
  // Fluent isolates the name with U+2068 … U+2069.
  const text = (await nav.textContent()).replace(/[\u2068\u2069]/g, '').trim();
  return text.replace(/^Logged in as\s+/, '');
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
    assert.equal(await page.locator('main input[name=next]').inputValue(), '/account/sessions', 'next survives a failed attempt');

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
    // The other scenario files run beside this one against the same server
    // and sign people up too, so the count is compared with the API's.
    const { total } = await page.evaluate(async () => (await fetch('/api/users?per_page=1')).json());
    assert.ok(total >= 42, `40 demo users + admin + alice at least, got ${total}`);
    assert.equal((await page.locator('.card .number').first().textContent()).trim(), String(total));
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

// --- issue 16 and 14: the journeys at both widths, mail, every page audited ---

/** A message from the SMTP sink to `to` whose subject matches, waiting for it. */
async function mailTo(to, subject, { after = 0, timeout = 20_000 } = {}) {
  assert.ok(MAIL_DIR, 'E2E_MAIL_DIR is not set: run the suite with e2e/run.sh');
  const deadline = Date.now() + timeout;
  for (;;) {
    const files = existsSync(MAIL_DIR) ? readdirSync(MAIL_DIR).filter((f) => f.endsWith('.json')).sort() : [];
    const found = files
      .filter((f) => Number.parseInt(f, 10) > after)
      .map((f) => ({ seq: Number.parseInt(f, 10), ...JSON.parse(readFileSync(join(MAIL_DIR, f), 'utf8')) }))
      .filter((m) => m.envelope_to.includes(to) && subject.test(m.subject));
    if (found.length) return found[found.length - 1];
    if (Date.now() > deadline) {
      throw new Error(`no message to ${to} matching ${subject} within ${timeout} ms (${files.length} in the sink)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The sink's newest message number, so a scenario reads only what came later. */
function lastMail() {
  if (!MAIL_DIR || !existsSync(MAIL_DIR)) return 0;
  return Math.max(0, ...readdirSync(MAIL_DIR).filter((f) => f.endsWith('.json')).map((f) => Number.parseInt(f, 10)));
}

/** The link to `path` in a message's text part, as a same-site path. */
function linkIn(message, path) {
  const match = message.text.match(new RegExp(`https?://[^\\s/]+${path.replace(/[/?]/g, '\\$&')}\\?token=[A-Za-z0-9_-]+`));
  assert.ok(match, `no ${path} link in:\n${message.text}`);
  const url = new URL(match[0]);
  assert.equal(url.origin, new URL(BASE_URL).origin, 'links are built from public_url');
  return url.pathname + url.search;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** axe-core's violations on the page as it is, one line each. */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ content: AXE_SOURCE });
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join('').trim()}`),
      count: v.nodes.length,
    }));
  });
  return violations.map((v) => `${v.id} (${v.impact}, ${v.count}x): ${v.nodes.join(' | ')}`);
}

/** How far the page scrolls sideways (0 when it fits). */
async function sideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

describe('Journeys at 1280 px and 390 px', () => {
  for (const [width, viewport] of WIDTHS) {
    const phone = viewport === PHONE;
    // Each width has people of its own, so the two runs do not meet.
    const shopper = phone ? 'user0000016' : 'user0000011';
    // Ten users each (user0000020 … 29, user0000030 … 39), three of them deactivated.
    const group = phone ? 'user000003' : 'user000002';
    const victims = [4, 5, 6].map((n) => `${group}${n}`);

    test(`cart across two catalog pages, then checkout (${width})`, async () => {
      const { page, context } = await newPerson(`cart-${width}`, viewport);
      await logIn(page, shopper, DEMO_PASSWORD, '/login?next=/products');
      assert.equal(pathOf(page), '/products');
      assert.equal(await sideways(page), 0, 'the catalog fits the width');

      const firstRow = page.locator('table tbody tr').filter({ has: page.locator('input.qty') }).first();
      const firstName = (await firstRow.locator('td a').first().textContent()).trim();
      await firstRow.locator('input.qty').fill('1');
      await page.getByRole('button', { name: 'Add to basket', exact: true }).click();
      await page.waitForLoadState('load');
      assert.match(await flashText(page), new RegExp(`Added to your basket: ${firstName}`));
      assert.match(pathOf(page), /page=1/, 'back on the page the product was added from');

      await page.getByRole('navigation', { name: 'Product pages' }).getByRole('link', { name: /Next/ }).click();
      await page.waitForURL(/page=2/);
      const secondRow = page.locator('table tbody tr').filter({ has: page.locator('input.qty') }).first();
      const secondName = (await secondRow.locator('td a').first().textContent()).trim();
      assert.notEqual(secondName, firstName);
      await secondRow.locator('input.qty').fill('2');
      await page.getByRole('button', { name: 'Add to basket', exact: true }).click();
      await page.waitForLoadState('load');
      assert.match(await flashText(page), new RegExp(`Added to your basket: ${secondName}`));
      assert.match(pathOf(page), /page=2/);

      await page.getByRole('link', { name: 'Basket', exact: true }).click();
      await page.waitForURL('**/cart');
      assert.equal(await page.locator('#cart-form input.qty').count(), 2, 'one line per product, from both pages');
      assert.equal(await page.getByLabel(`Quantity of ${firstName}`).inputValue(), '1');
      assert.equal(await page.getByLabel(`Quantity of ${secondName}`).inputValue(), '2');
      assert.equal(await sideways(page), 0, 'the basket fits the width');
      await shot(page, `20-cart-${width}`);
      await page.getByRole('button', { name: /^Check out and pay/ }).click();
      await page.waitForURL(/\/sales\/\d+$/);
      assert.match(await flashText(page), /Thank you! You paid €/);
      const items = await page.locator('table tbody tr td:first-child').allTextContents();
      assert.deepEqual(items.map((t) => t.trim()).sort(), [firstName, secondName].sort());
      await go(page, '/cart');
      assert.match(await page.locator('main').textContent(), /Your basket is empty/);
      await context.close();
      expectCleanPages();
    });

    test(`a failed checkout keeps the basket and marks the line (${width})`, async () => {
      const { page, context } = await newPerson(`short-${width}`, viewport);
      await logIn(page, shopper, DEMO_PASSWORD, '/login?next=/products?q=Bottle');
      const row = page.locator('table tbody tr').filter({ has: page.locator('input.qty') }).nth(phone ? 1 : 0);
      const name = (await row.locator('td a').first().textContent()).trim();
      const stock = Number((await row.locator('td').nth(2).textContent()).trim());
      await row.locator('input.qty').fill('1');
      await page.getByRole('button', { name: 'Add to basket', exact: true }).click();
      await page.waitForLoadState('load');
      await go(page, '/cart');
      // More than the stock: the basket takes it, the checkout refuses it.
      await page.getByLabel(`Quantity of ${name}`).fill(String(stock + 1));
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/cart')),
        page.getByRole('button', { name: /^Check out and pay/ }).click(),
      ]);
      await page.waitForLoadState('load');
      assert.equal(answer.status(), 409, 'too little stock is a conflict');
      const summary = page.locator('#error-summary');
      assert.match(await summary.textContent(), /Nothing was bought/);
      assert.match(await summary.textContent(), new RegExp(name));
      assert.doesNotMatch(await summary.textContent(), /product \d+/, 'no internal ids');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary', 'focus on the summary');
      const input = page.getByLabel(`Quantity of ${name}`);
      assert.equal(await input.inputValue(), String(stock + 1), 'the basket is as it was');
      assert.equal(await input.getAttribute('aria-invalid'), 'true', 'the line is marked');
      assert.equal(await page.locator('td.at-fault').count(), 1);
      assert.equal(await sideways(page), 0);
      await shot(page, `21-cart-failed-${width}`);
      // The summary's link leads to the field; a fixed quantity then goes through.
      await summary.getByRole('link').click();
      await input.fill('1');
      await page.getByRole('button', { name: /^Check out and pay/ }).click();
      await page.waitForURL(/\/sales\/\d+$/);
      await context.close();
      expectCleanPages();
    });

    test(`search finds a word inside a name (${width})`, async () => {
      const { page, context } = await newPerson(`search-${width}`, viewport);
      await go(page, '/products');
      await page.getByRole('searchbox', { name: 'Search the products' }).fill('backpack');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/q=backpack/);
      const names = (await page.locator('table tbody tr td:first-child a').allTextContents()).map((t) => t.trim());
      assert.ok(names.length >= 2, `products found: ${names}`);
      for (const text of names) {
        assert.match(text, /^\S+ Backpack \d+$/, 'the word is inside the name, not at its start');
      }
      assert.ok((await page.locator('table tbody mark').count()) >= names.length, 'matches are highlighted');
      assert.match(await page.locator('p[role=status]').textContent(), /matching “backpack”/);
      assert.equal(await sideways(page), 0);
      await context.close();
      expectCleanPages();
    });

    test(`admin: bulk deactivate three users, export a CSV and read it (${width})`, async () => {
      const { page, context } = await newPerson(`bulk-${width}`, viewport);
      await logIn(page, ADMIN.login, ADMIN.password, '/login?next=/admin/users');
      await page.getByLabel('Username, e-mail or name').fill(group);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(new RegExp(`q=${group}`));
      for (const name of victims) await page.getByLabel(`Select ${name}`, { exact: true }).check();
      await page.locator('#bulk-action').selectOption('deactivate');
      await page.getByRole('button', { name: 'Apply…' }).click();
      await page.waitForURL('**/admin/users/bulk');
      assert.match(await page.locator('h1').textContent(), /Deactivate 3 users\?/);
      const listed = (await page.locator('table tbody td:first-child').allTextContents()).map((t) => t.trim());
      assert.deepEqual(listed.sort(), [...victims].sort());
      await page.getByRole('button', { name: 'Deactivate 3 users' }).click();
      await page.waitForURL(/\/admin\/users\?/);
      assert.match(await flashText(page), new RegExp(`Deactivated 3 users: ${victims.join(', ')}`));
      for (const name of victims) {
        const row = page.locator('table tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
        assert.equal(await row.locator('.badge.inactive').count(), 1, `${name} is inactive`);
      }

      // The filtered list as CSV, downloaded and parsed.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download these users as CSV' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /\.csv$/);
      const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
      const [header, ...records] = rows;
      const username = header.indexOf('username');
      const active = header.indexOf('is_active');
      assert.ok(username >= 0 && active >= 0, `columns: ${header}`);
      assert.equal(records.length, 10, `${group}0 … ${group}9`);
      for (const record of records) {
        assert.equal(record.length, header.length);
        assert.match(record[username], new RegExp(`^${group}\\d$`));
        const inactive = victims.includes(record[username]);
        assert.equal(record[active], inactive ? 'false' : 'true', `${record[username]} is_active`);
      }
      assert.equal(await sideways(page), 0);
      await context.close();
      expectCleanPages();
    });
  }

  test('forgot password: the link from the message sets a new password', async () => {
    const { page, context } = await newPerson('forgetful');
    const user = 'user0000017';
    const email = `${user}@example.com`;
    const since = lastMail();
    await go(page, '/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/password/forgot');
    await page.getByLabel('Username or e-mail').fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').textContent(), /e-mail|message|link/i);

    const message = await mailTo(email, /^Reset your Portero password$/, { after: since });
    assert.doesNotMatch(message.html + message.text, /demo-password/, 'no password in the message');
    await go(page, linkIn(message, '/password/reset'));
    await page.getByLabel('New password', { exact: true }).fill('a-brand-new-secret-7');
    await page.getByLabel('Repeat the new password').fill('a-brand-new-secret-7');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.waitForURL('**/login');
    assert.match(await flashText(page), /Your password was changed/);

    // The old password is refused, the new one works.
    const other = await newPerson('forgetful-later');
    await go(other.page, '/login');
    await other.page.locator('#login').fill(user);
    await other.page.locator('#password').fill(DEMO_PASSWORD);
    await other.page.getByRole('button', { name: 'Log in', exact: true }).click();
    await other.page.waitForLoadState('load');
    assert.equal(new URL(other.page.url()).pathname, '/login', 'the old password is refused');
    await logIn(other.page, user, 'a-brand-new-secret-7');
    assert.equal(await navUser(other.page), user);
    // The link works once.
    await go(page, linkIn(message, '/password/reset'));
    await page.getByLabel('New password', { exact: true }).fill('yet-another-secret-8');
    await page.getByLabel('Repeat the new password').fill('yet-another-secret-8');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/password/reset')),
      page.getByRole('button', { name: 'Set the new password' }).click(),
    ]);
    assert.equal(refused.status(), 422, 'a used link is refused');
    // The notice of the reset reached the same address.
    await mailTo(email, /password was reset/i, { after: since });
    await other.context.close();
    await context.close();
    expectCleanPages();
  });

  test('sign up, then verify the address from the sign-up message', async () => {
    const { page, context } = await newPerson('vera');
    const email = 'vera.e2e@example.com';
    const since = lastMail();
    await go(page, '/signup');
    await page.locator('#username').fill('vera_e2e');
    await page.locator('#email').fill(email);
    await page.locator('#first_name').fill('Vera');
    await page.locator('#last_name').fill('Fied');
    await page.locator('#password').fill('vera-long-password-3');
    await page.locator('#password_confirm').fill('vera-long-password-3');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL('**/account');
    assert.match(await page.locator('main').textContent(), /not verified/);

    const message = await mailTo(email, /^Confirm your e-mail address$/, { after: since });
    assert.match(message.from, /portero/i);
    assert.ok(message.message_id && message.date, 'Message-ID and Date are set');
    await go(page, linkIn(message, '/verify-email'));
    await page.waitForURL('**/account');
    assert.match(await flashText(page), new RegExp(`${email.replace('.', '\\.')} is verified`));
    assert.match(await page.locator('main').textContent(), /\(verified /);
    assert.doesNotMatch(await page.locator('main').textContent(), /not verified/);
    await context.close();
    expectCleanPages();
  });
});

describe('Every page at 1280 px and 390 px, light and dark', () => {
  /** Pages anyone can see, then a user's, then an administrator's. */
  const anonymousPages = ['/', '/login', '/signup', '/password/forgot', '/products', '/products/1', '/products?q=bottle', '/no/such/page'];
  const adminPages = [
    '/account',
    '/account/sessions',
    '/account/tokens',
    '/account/data',
    '/account/delete',
    '/cart',
    '/sales',
    '/sales?sort=total_desc',
    '/admin',
    '/admin/users',
    '/admin/users?q=user00000&sort=email_desc',
    '/admin/users/new',
    '/admin/users/2',
    '/admin/products',
    '/admin/products/new',
    '/admin/products/1',
    '/admin/sales',
    '/admin/audit',
    '/admin/mail',
    '/products/999999',
  ];
  const userPages = ['/admin', '/cart', '/sales', '/account'];
  /** Pages photographed for docs/screenshots/ (light theme), by whom. */
  const photographed = { anon: ['/', '/products'], admin: ['/admin', '/admin/users', '/admin/sales'], user: ['/cart', '/sales', '/account'] };

  test('no sideways scroll at 390 px and no axe violation, in either theme', async () => {
    const problems = [];
    for (const [width, viewport] of WIDTHS) {
      for (const colorScheme of ['light', 'dark']) {
        // axe is injected as a script: these contexts alone bypass the CSP.
        const options = { colorScheme, bypassCSP: true };
        const anonymous = await newPerson(`audit-anon-${width}-${colorScheme}`, viewport, options);
        const admin = await newPerson(`audit-admin-${width}-${colorScheme}`, viewport, options);
        await logIn(admin.page, ADMIN.login, ADMIN.password);
        const user = await newPerson(`audit-user-${width}-${colorScheme}`, viewport, options);
        // The desktop shopper: purchases from the journeys above to show.
        await logIn(user.page, 'user0000011', DEMO_PASSWORD);
        // A basket with a line, so the basket page shows its table.
        await go(user.page, '/products');
        await user.page.locator('input.qty').first().fill('1');
        await user.page.getByRole('button', { name: 'Add to basket', exact: true }).click();
        await user.page.waitForLoadState('load');
        for (const [who, pages] of [
          [anonymous, anonymousPages],
          [admin, adminPages],
          [user, userPages],
        ]) {
          for (const path of pages) {
            await who.page.goto(path);
            const role = who.name.split('-')[1];
            const where = `${path} as ${role} at ${width}, ${colorScheme}`;
            const over = await sideways(who.page);
            if (over > 0) problems.push(`${where}: ${over}px wider than the viewport`);
            for (const violation of await axeViolations(who.page)) problems.push(`${where}: ${violation}`);
            if (colorScheme === 'light' && photographed[role].includes(path)) {
              const name = path === '/' ? 'home' : path.slice(1).replace(/\//g, '-');
              await who.page.evaluate(() => document.activeElement?.blur());
              await who.page.screenshot({ path: join(SHOTS, `docs-${name}-${viewport.width}.png`) });
            }
          }
        }
        for (const who of [anonymous, admin, user]) await who.context.close();
      }
    }
    assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  });
});
