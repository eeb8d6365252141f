// Two-factor sign-in in a real browser (issue 19), run by e2e/run.sh beside
// portero.test.mjs: a new account sets up TOTP with the secret shown on the
// page (the code is computed here, as an authenticator app would), logs out
// and in again with a code, then with a recovery code. Pages are watched
// for CSP violations and script errors: the QR code is inline SVG, with no
// script and no outside service.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.PORTERO_URL ?? 'http://127.0.0.1:8000';
const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? 'target/e2e-screenshots';
const EXECUTABLE = process.env.CHROMIUM ?? '/usr/bin/chromium';
const USER = {
  username: 'mfa_e2e',
  email: 'mfa.e2e@example.com',
  password: 'two-factors-are-better-1',
};

mkdirSync(SHOTS, { recursive: true });

/** RFC 4648 base32 (no padding) to bytes. */
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (HMAC-SHA-1, 6 digits, 30 s) of `secret` at `unixSeconds`. */
function totp(secret, unixSeconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, '0');
}

/** Waits for the next 30-second step, so a code is never a replay of the last one. */
async function nextStep() {
  const now = Date.now() / 1000;
  const wait = (30 - (now % 30) + 1) * 1000;
  await new Promise((resolve) => setTimeout(resolve, wait));
}

let browser;
const problems = [];

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

async function newPage() {
  const context = await browser.newContext({ baseURL: BASE_URL });
  const page = await context.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (/content security policy/i.test(text)) problems.push(`csp: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  context.on('response', (response) => {
    if (response.status() >= 500) problems.push(`${response.status()} ${response.url()}`);
  });
  return page;
}

async function submit(page, formSelector) {
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator(`${formSelector} button[type="submit"]`).first().click(),
  ]);
}

async function logOut(page) {
  await submit(page, 'form[action="/logout"]');
  assert.equal(new URL(page.url()).pathname, '/');
}

async function passwordStep(page) {
  await page.goto('/login');
  await page.locator('#login').fill(USER.username);
  await page.locator('#password').fill(USER.password);
  await submit(page, 'main form[action="/login"]');
  assert.equal(new URL(page.url()).pathname, '/login/code', 'the password leads to the code step');
}

test('set up two-factor sign-in, then log in with a code and with a recovery code', { timeout: 180_000 }, async () => {
  const page = await newPage();

  // A new account.
  await page.goto('/signup');
  await page.locator('#username').fill(USER.username);
  await page.locator('#email').fill(USER.email);
  await page.locator('#first_name').fill('Mfa');
  await page.locator('#last_name').fill('Tester');
  await page.locator('#password').fill(USER.password);
  await page.locator('#password_confirm').fill(USER.password);
  await submit(page, 'main form[action="/signup"]');
  assert.equal(new URL(page.url()).pathname, '/account');

  // Set-up: a QR code and the secret as text; the code from the secret shown.
  await page.getByRole('link', { name: 'Two-factor sign-in' }).click();
  assert.equal(new URL(page.url()).pathname, '/account/security');
  await submit(page, 'form[action="/account/security/mfa/start"]');
  await assert.doesNotReject(page.locator('.qr svg').waitFor(), 'a QR code is shown');
  const secret = (await page.locator('#mfa-secret').textContent()).trim();
  assert.match(secret.replace(/\s/g, ''), /^[A-Z2-7]{32}$/);
  await page.screenshot({ path: join(SHOTS, 'mfa-set-up.png'), fullPage: true });
  await page.locator('#code').fill(totp(secret, Date.now() / 1000));
  await submit(page, 'form[action="/account/security/mfa/confirm"]');
  const codes = (await page.locator('#recovery-codes code').allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 10, 'ten recovery codes are shown once');

  // Out, and in again with a code from the app.
  await logOut(page);
  await nextStep();
  await passwordStep(page);
  await page.locator('#code').fill(totp(secret, Date.now() / 1000));
  await submit(page, 'main form[action="/login/code"]');
  assert.equal(new URL(page.url()).pathname, '/account');
  const me = await page.request.get('/api/me');
  assert.equal(me.status(), 200, 'logged in');
  assert.equal((await me.json()).username, USER.username);

  // Out, and in with a recovery code.
  await logOut(page);
  await passwordStep(page);
  await page.getByRole('link', { name: 'Use a recovery code' }).click();
  await page.locator('#code').fill(codes[0]);
  await submit(page, 'main form[action="/login/code"]');
  assert.equal(new URL(page.url()).pathname, '/account');
  await page.goto('/account/security');
  assert.match(await page.locator('#mfa-status').textContent(), /Recovery codes left:\s*9/);

  // The used recovery code is dead.
  await logOut(page);
  await passwordStep(page);
  await page.getByRole('link', { name: 'Use a recovery code' }).click();
  await page.locator('#code').fill(codes[0]);
  await submit(page, 'main form[action="/login/code"]');
  assert.equal(new URL(page.url()).pathname, '/login/code');
  assert.ok(await page.locator('.field-error').count(), 'the form says why');

  assert.deepEqual(problems, [], `problems seen in the browser:\n${problems.join('\n')}`);
});
