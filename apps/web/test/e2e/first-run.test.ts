import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  defineSteps,
  go,
  type Journey,
  PASSWORD,
  shot,
  startJourney,
  stopJourney,
  USERNAME,
} from './journey.js';

/**
 * A new installation in Chromium against the embedded start (FIRST_RUN=web): the setup page
 * creates the admin and shows the API key once, the session survives a reload, logout ends it,
 * a wrong password is refused with the server's message, the right one signs in, and the API
 * key page knows the key only by its prefix.
 */

let journey: Journey;
let apiKey = '';
const step = defineSteps(() => journey?.page);

describe('first run in the browser', () => {
  beforeAll(async () => {
    journey = await startJourney();
  });

  afterAll(async () => {
    await stopJourney(journey);
  });

  step('setup creates the admin and shows the API key once', async () => {
    const { page, embedded } = journey;
    await page.goto(`${embedded.baseUrl}/orders`);
    await page.getByRole('heading', { name: 'Welcome to OpenAlgo' }).waitFor();
    await shot(page, '01-setup');
    await page.getByLabel('Username').fill('x');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').filter({ hasText: 'Username must be 3-64' }).waitFor();
    await page.getByLabel('Username').fill(USERNAME);
    await page.getByRole('button', { name: 'Create account' }).click();
    apiKey = ((await page.getByTestId('setup-apikey').locator('code').textContent()) ?? '').trim();
    expect(apiKey).toMatch(/^[0-9a-f]{64}$/);
    await shot(page, '02-setup-api-key');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // The key works for the API at once.
    const ping = await fetch(`${embedded.baseUrl}/api/v1/ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apikey: apiKey }),
    });
    expect(ping.status).toBe(200);
  });

  step('the session survives a reload and a deep link', async () => {
    const { page, embedded } = journey;
    await page.goto(`${embedded.baseUrl}/settings`);
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByLabel('dark').check();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await shot(page, '03-settings-dark');
    await page.getByLabel('light').check();
  });

  step('logout ends the session; a wrong password is refused with the server’s message', async () => {
    const { page, embedded } = journey;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to OpenAlgo' }).waitFor();
    const session = await page.evaluate(
      async (base) => (await fetch(`${base}/web/session`)).json(),
      embedded.baseUrl,
    );
    expect(session).toMatchObject({ data: { authenticated: false } });
    await page.getByLabel('Username').fill(USERNAME);
    await page.getByLabel('Password').fill('not-the-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .locator('.toast-error')
      .filter({ hasText: /password/i })
      .waitFor();
    await shot(page, '04-login-refused');
  });

  step('the right password signs in to the dashboard', async () => {
    const { page } = journey;
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await shot(page, '05-dashboard');
  });

  step('the API key page knows the key only by its prefix', async () => {
    const { page } = journey;
    await go(page, 'API key');
    const prefix = ((await page.getByTestId('apikey-prefix').textContent()) ?? '').replace('…', '');
    expect(prefix.length).toBeGreaterThanOrEqual(4);
    expect(apiKey.startsWith(prefix)).toBe(true);
    expect(await page.content()).not.toContain(apiKey);
    await shot(page, '06-api-key');
  });

  step('fits a phone screen', async () => {
    const { page } = journey;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Menu' }).click();
    await go(page, 'Dashboard');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, '07-dashboard-phone');
  });
});
