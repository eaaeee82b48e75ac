/**
 * The admins' playground in a real browser (Debian's headless Chromium, driven by
 * playwright-core): the page and all its assets come from the server itself, so it
 * works with no internet; a query with a bearer token in the Headers tab answers.
 * Every request the page makes is recorded to prove none leaves this server.
 */
import { chromium, type Browser } from 'playwright-core';
import { startTestServer, TestServer } from '../helpers/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await server.close();
});

test('the playground loads from the server alone and runs a query with a bearer token', async () => {
  const origin = new URL(server.url).origin;
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  // What an admin would type: a query in the editor and the token in the Headers tab.
  await page.addInitScript(
    ([token]) => {
      window.localStorage.setItem('graphiql:query', '{ me { email role } }');
      window.localStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: `Bearer ${token}` }));
    },
    [server.adminToken],
  );
  await page.goto(server.url, { waitUntil: 'networkidle' });
  await page.waitForSelector('.graphiql-execute-button', { timeout: 20_000 });
  await page.click('.graphiql-execute-button');
  const result = page.locator('.result-window');
  await result.getByText('"role": "ADMIN"').waitFor({ timeout: 20_000 });
  expect(await result.innerText()).toContain('admin@test.example');
  expect(requested.length).toBeGreaterThan(3);
  expect(requested.filter((url) => !url.startsWith(origin))).toEqual([]);
  await page.close();
});

test('a subscription in the playground streams overdue events over the same WebSocket', async () => {
  const finance = await server.createUser('FINANCE');
  const sales = await server.createUser('SALES');
  const { createCustomer } = await finance.client.createCustomer({
    input: { code: 'PLAY-1', name: 'Playground Ltd', ownerId: sales.id, creditTermDays: 30, creditLimit: '10.00' },
  });
  await finance.client.createReceivable({
    input: { customerId: createCustomer.id, reference: 'PG-1', amount: '10.00', issuedOn: '2025-01-02', dueOn: '2025-02-03' },
  });
  await finance.client.runOverdueScan({ asOf: '2025-02-04' });

  const page = await browser.newPage();
  const sentFrames: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (frame) => sentFrames.push(String(frame.payload))));
  await page.addInitScript(
    ([token]) => {
      // The alarms only: the scan also puts the customer on credit HOLD (its limit is the overdue 10.00), a later event.
      window.localStorage.setItem('graphiql:query', 'subscription { overdueEvents(filter: { types: [BECAME_OVERDUE] }) { type customer { code } } }');
      window.localStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: `Bearer ${token}` }));
    },
    [server.adminToken],
  );
  await page.goto(server.url, { waitUntil: 'networkidle' });
  await page.click('.graphiql-execute-button');
  const result = page.locator('.result-window');
  await result.getByText('"code": "PLAY-1"').waitFor({ timeout: 20_000 });
  expect(await result.innerText()).toContain('BECAME_OVERDUE');
  // The token from the Headers tab travelled in connection_init, as the API expects.
  expect(sentFrames.some((f) => f.includes('"connection_init"') && f.includes(`Bearer ${server.adminToken}`))).toBe(true);
  await page.close();
});
