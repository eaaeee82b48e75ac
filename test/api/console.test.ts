/**
 * The browser console (issue 14) in Debian's headless Chromium against a live server
 * with the demo data: each role signs in and gets its pages; the numbers on the page are
 * the API's answers; charts draw; a salesperson logs a call at phone size; a scan's alarm
 * arrives live, also across a server restart. Every request must go to the server's own
 * origin (anything else is aborted and fails the test). Screenshots of each page at
 * desktop and phone size go to test-results/console/ on every run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { createClient, type Client } from '../../sdk/index.js';
import { companyToday } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '../../test-results/console');
const DEMO_PASSWORD = 'Lotus-Harbor-Demo-17';
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 375, height: 812 };

let server: TestServer;
let browser: Browser;
let origin: string;
const offOrigin: string[] = [];
const pageProblems: string[] = [];
const contexts: BrowserContext[] = [];

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

async function apiAs(email: string): Promise<Client> {
  const { login } = await server.anonymous().login({ email, password: DEMO_PASSWORD });
  return createClient({ url: server.url, token: login.token, webSocketImpl: WebSocket });
}

/**
 * A fresh browser context whose every request must stay on the server's origin. Its clock
 * is the machine's (UTC here) unless `timezoneId` says otherwise: the console's today is the
 * server's business date (Asia/Shanghai), which between 16:00 and 24:00 UTC is already the
 * next day, so a page that took the browser's calendar would show yesterday then.
 */
async function openPage(viewport: { width: number; height: number }, locale = 'en-US', timezoneId?: string): Promise<Page> {
  const context = await browser.newContext({ viewport, locale, timezoneId });
  contexts.push(context);
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    offOrigin.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).host !== new URL(origin).host) offOrigin.push(ws.url());
  });
  page.on('console', (message) => {
    // A Content-Security-Policy refusal or a script error is a bug of the console.
    if (message.type() === 'error' && !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(message.text())) pageProblems.push(message.text());
  });
  page.on('pageerror', (error) => pageProblems.push(error.message));
  return page;
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${origin}/console/`);
  await page.fill('#email', email);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('header.bar nav');
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

async function navPages(page: Page): Promise<string[]> {
  return page.$$eval('header nav a', (links) => links.map((a) => a.getAttribute('data-page') ?? ''));
}

/** Pixels drawn on a chart's canvas that are not transparent. */
async function paintedPixels(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (el) => {
    const canvas = el.querySelector('canvas');
    if (!canvas) return 0;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return painted;
  });
}

/** The API's exact strings kept on a table's money cells, row by row. */
async function moneyCells(page: Page, table: string): Promise<string[][]> {
  return page.$$eval(`${table} tbody tr`, (rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('.money')).map((m) => m.getAttribute('data-value') ?? '')),
  );
}

let manager: Client;
let finance: Client;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await startTestServer({ DEMO_DATA: '1' });
  origin = new URL(server.url).origin;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  manager = await apiAs('zhao.lei@example.com');
  finance = await apiAs('chen.jing@example.com');
  // Monday morning: the alarms of the demo ledger are judged (its twelve weekly analyses and this month's goals come with it).
  await finance.runOverdueScan({});
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

afterEach(() => {
  expect(offOrigin).toEqual([]);
  expect(pageProblems).toEqual([]);
});

test('the console is served by the server itself with a self-only Content-Security-Policy', async () => {
  const response = await fetch(`${origin}/console/`);
  expect(response.status).toBe(200);
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  const html = await response.text();
  expect(html).not.toMatch(/https?:\/\//);
  // The bundle goes out gzipped as built (fetch unpacks it): a script, under its 500 kB budget.
  const script = await fetch(`${origin}/console/app.js`, { headers: { 'accept-encoding': 'gzip' } });
  expect(script.headers.get('content-encoding')).toBe('gzip');
  expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect(Number(script.headers.get('content-length'))).toBeLessThan(500 * 1024);
  expect((await script.text()).length).toBeGreaterThan(100_000);
});

test('a manager sees the aging, trend, goals, ranking, top overdue customers and booking lag the API answers', async () => {
  const page = await openPage(DESKTOP);
  await signIn(page, 'zhao.lei@example.com');
  expect(await navPages(page)).toEqual(['dashboard', 'worklist', 'alarms', 'feedback']);
  await page.waitForSelector('#aging-table');
  await page.waitForSelector('#trend-table');

  const { agingReport } = await manager.agingReport({ asOf: companyToday() });
  const shown = await moneyCells(page, '#aging-table');
  const expected = Object.fromEntries(
    [...agingReport.bySalesperson.map((r) => [r.salesperson.name, r] as const), ['Company', agingReport] as const].map(([name, r]) => [
      name,
      [r.current, r.d1to30, r.d31to60, r.d61to90, r.over90, r.total, r.disputed],
    ]),
  );
  const names = await page.$$eval('#aging-table tbody tr', (rows) => rows.map((r) => r.querySelector('td')!.textContent));
  expect(Object.fromEntries(names.map((n, i) => [n, shown[i]]))).toEqual(expected);
  // Shown in the reader's locale, digits untouched: "1,234.50" for "1234.50".
  const companyTotal = await page.$eval('#aging-table tbody tr:last-child td:nth-child(7) .money', (m) => m.textContent);
  expect(companyTotal.replace(/,/g, '')).toBe(agingReport.total);

  const { weeklyAnalyses } = await manager.weeklyAnalyses({ last: 12 });
  expect(weeklyAnalyses).toHaveLength(12);
  const trendOverdue = (await moneyCells(page, '#trend-table')).map((r) => r[0]);
  expect(trendOverdue).toEqual([...weeklyAnalyses].sort((a, b) => a.weekStart.localeCompare(b.weekStart)).map((w) => w.overdueAmount));
  const latest = [...weeklyAnalyses].sort((a, b) => b.weekStart.localeCompare(a.weekStart))[0];
  expect((await moneyCells(page, '#top-overdue-table')).map((r) => r[0])).toEqual(latest.topOverdueCustomers.map((c) => c.overdueAmount));

  const monthStart = `${companyToday().slice(0, 8)}01`;
  const { scorecards } = await manager.scorecards({ from: monthStart, to: companyToday() });
  const ranking = await page.$$eval('#scorecard-table tbody tr', (rows) => rows.map((r) => r.querySelectorAll('td')[1].textContent));
  expect(ranking).toEqual([...scorecards].sort((a, b) => a.rank - b.rank).map((c) => c.salesperson.name));
  expect(await page.$$eval('#goals-table tbody tr', (rows) => rows.length)).toBe(4); // three salespeople's collection rate, the company's overdue amount
  await page.waitForSelector('#booking-lag-table');

  expect(await paintedPixels(page, '#aging-chart')).toBeGreaterThan(2000);
  expect(await paintedPixels(page, '#trend-chart')).toBeGreaterThan(2000);
  await shot(page, 'dashboard-desktop');

  // Another date: the table follows the picker.
  const earlier = addDays(companyToday(), -30);
  await page.fill('#as-of', earlier);
  await page.dispatchEvent('#as-of', 'change');
  await page.waitForSelector(
    `#aging-title:has-text("${new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(`${earlier}T00:00:00Z`))}")`,
  );
  const then = await manager.agingReport({ asOf: earlier });
  expect((await moneyCells(page, '#aging-table')).at(-1)![5]).toBe(then.agingReport.total);

  // 中文: the same numbers, the words translated.
  await page.selectOption('#language', 'zh-CN');
  await page.waitForSelector('header nav a:has-text("管理看板")');
  await page.waitForSelector('#aging-table');
  expect((await moneyCells(page, '#aging-table')).at(-1)![5]).toBe(agingReport.total);
  await page.setViewportSize(PHONE);
  await page.waitForFunction((width) => document.documentElement.scrollWidth <= width, PHONE.width);
  await shot(page, 'dashboard-mobile-zh');
});

test('each role gets its own pages; what the API refuses a role is not offered', async () => {
  const cases: [string, string[]][] = [
    ['chen.jing@example.com', ['dashboard', 'worklist', 'alarms', 'feedback']],
    ['li.na@example.com', ['worklist', 'alarms', 'feedback']],
    ['sun.li@example.com', ['feedback']],
  ];
  for (const [email, pages] of cases) {
    const page = await openPage(DESKTOP);
    await signIn(page, email);
    expect(await navPages(page)).toEqual(pages);
    // The first page of the role opens; a page it does not have falls back to it.
    if (pages[0] !== 'dashboard') {
      await page.goto(`${origin}/console/#/dashboard`);
      await page.waitForSelector('main[aria-busy=false]');
    }
    expect(await page.getAttribute('main', 'data-page')).toBe(pages[0]);
    if (pages[0] === 'dashboard') {
      // FINANCE reads aging and the weekly analyses but not scorecards: that part is left out, the rest is there.
      await page.waitForSelector('#aging-table');
      await page.waitForSelector('#trend-table');
      expect(await page.$$('main .error')).toHaveLength(0);
      expect(await page.$('#scorecard-table')).toBeNull();
    }
    await page.context().close();
  }
  // The token is in the tab's sessionStorage, never in the address.
  const page = await openPage(DESKTOP);
  await signIn(page, 'li.na@example.com');
  expect(page.url()).not.toMatch(/token|eyJ/);
});

test('a salesperson does the worklist on a phone: open items, history, and a call logged once', async () => {
  const sales = await apiAs('li.na@example.com');
  const { collectionWorklist } = await sales.collectionWorklist({ first: 50 });
  expect(collectionWorklist.edges.length).toBeGreaterThan(0);

  const page = await openPage(PHONE);
  await signIn(page, 'li.na@example.com');
  await page.waitForSelector('#worklist');
  const shown = await page.$$eval('#worklist .work-item', (items) =>
    items.map((i) => [i.getAttribute('data-customer-id'), i.querySelector('.money')!.getAttribute('data-value')]),
  );
  expect(shown).toEqual(collectionWorklist.edges.map((e) => [e.node.customerId, e.node.overdueAmount]));
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await shot(page, 'worklist-mobile');

  const first = collectionWorklist.edges[0].node;
  await page.click(`[data-customer-id="${first.customerId}"] a`);
  await page.waitForSelector('#open-items-table, #open-items .empty');
  const { receivables } = await sales.receivables({ first: 50, filter: { customerId: first.customerId, status: ['OPEN', 'PARTIALLY_PAID'] } });
  const openShown = (await moneyCells(page, '#open-items-table')).map((r) => r[0]).sort();
  expect(openShown).toEqual(receivables.edges.map((e) => e.node.outstanding).sort());

  await page.click('#log-call');
  await page.selectOption('form[data-action=call] select[name=outcome]', 'NO_ANSWER');
  await page.fill('form[data-action=call] textarea[name=note]', 'Rang twice, no answer: console test');
  // A double tap sends the same idempotency key twice: one activity.
  await page.$eval('form[data-action=call]', (form: HTMLFormElement) => {
    form.requestSubmit();
    form.requestSubmit();
  });
  await page.waitForSelector('#saved');
  await page.waitForSelector('#history-list li:has-text("console test")');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await shot(page, 'worklist-customer-mobile');
  const { activities } = await sales.activities({ customerId: first.customerId, first: 50 });
  const logged = activities.nodes.filter((a) => a.note === 'Rang twice, no answer: console test');
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ kind: 'CALL', outcome: 'NO_ANSWER' });

  await page.setViewportSize(DESKTOP);
  await page.goto(`${origin}/console/#/worklist`);
  await page.waitForSelector('#worklist');
  await shot(page, 'worklist-desktop');
});

test("the console's today is the company's business date, not the browser's calendar", async () => {
  // A manager in Pago Pago (UTC-11) whose computer's clock says 15 January: the dashboard's
  // as-of date and the worklist's heading are still the server's today in Shanghai.
  const page = await openPage(DESKTOP, 'en-US', 'Pacific/Pago_Pago');
  await page.clock.setFixedTime(new Date('2026-01-15T03:00:00Z'));
  await signIn(page, 'zhao.lei@example.com');
  await page.waitForSelector('#as-of');
  const today = companyToday();
  expect(await page.$eval('#as-of', (input: HTMLInputElement) => [input.value, input.max])).toEqual([today, today]);
  await page.goto(`${origin}/console/#/worklist`);
  await page.waitForSelector('#worklist');
  const [y, m, d] = today.split('-').map(Number);
  const shown = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)));
  expect(await page.textContent('h1')).toContain(shown);
});

test('an alarm from a scan arrives live, and the stream resumes across a server restart without loss or repetition', async () => {
  const page = await openPage(DESKTOP);
  await signIn(page, 'chen.jing@example.com');
  await page.goto(`${origin}/console/#/alarms`);
  await page.waitForSelector('#alarm-list');
  await page.waitForSelector('#live-status:has-text("Live")');

  const { users } = await finance.users({ role: 'SALES' });
  const owner = users.find((u) => u.email === 'li.na@example.com')!;
  const alarmFor = async (code: string) => {
    const { createCustomer } = await finance.createCustomer({
      input: { code, name: `${code} Console Ltd`, ownerId: owner.id, creditTermDays: 30, creditLimit: '900000.00' },
    });
    await finance.createReceivable({
      input: {
        customerId: createCustomer.id,
        reference: `${code}-1`,
        amount: '1234.56',
        issuedOn: addDays(companyToday(), -60),
        dueOn: addDays(companyToday(), -20),
      },
    });
    await finance.runOverdueScan({});
  };
  await alarmFor('LIVE-1');
  await page.waitForSelector('#alarm-list li[data-type=BECAME_OVERDUE]:has-text("LIVE-1")', { timeout: 20_000 });
  expect(await page.$eval('#alarm-list li:first-child', (li) => li.textContent)).toContain('LIVE-1');

  await server.restart();
  await alarmFor('LIVE-2');
  await page.waitForSelector('#alarm-list li:has-text("LIVE-2")', { timeout: 30_000 });
  await page.waitForSelector('#live-status:has-text("Live")');
  expect(await page.$$eval('#alarm-list li', (items) => items.filter((li) => li.textContent.includes('LIVE-1')).length)).toBe(1);
  expect(await page.getAttribute('#alarm-list', 'data-duplicates')).toBeNull();
  await shot(page, 'alarms-desktop', false);
  await page.setViewportSize(PHONE);
  await shot(page, 'alarms-mobile', false);
}, 90_000);

test('a salesperson reports anonymously after reading what that means; the project lead sees it on the board', async () => {
  const page = await openPage(PHONE);
  await signIn(page, 'li.na@example.com');
  await page.goto(`${origin}/console/#/feedback`);
  await page.waitForSelector('#feedback-form');
  await page.check('#fb-anonymous');
  expect(await page.textContent('#fb-anonymous-explained')).toContain('nobody');
  await page.fill('#fb-hours', '3.5');
  await page.fill('#feedback-form textarea[name=text]', 'Bank statements arrive a day late');
  await page.click('#feedback-form button[type=submit]');
  await page.waitForSelector('#fb-receipt');
  await shot(page, 'feedback-mobile');

  // The project lead groups the item into a proposal and escalates it: it shows in the board's column.
  const { login } = await server.anonymous().login({ email: 'sun.li@example.com', password: DEMO_PASSWORD });
  const leadApi = server.client(login.token);
  const { feedbackReports } = await leadApi.feedbackReports({ first: 10 });
  const itemIds = feedbackReports.edges.flatMap((e) => e.node.items.map((i) => i.id));
  const { createImprovementProposal } = await leadApi.createImprovementProposal({
    input: { title: 'Import bank statements daily', description: 'Late statements delay booking', itemIds },
  });
  await leadApi.escalateProposal({ id: createImprovementProposal.id, note: 'Needs a decision' });

  const lead = await openPage(DESKTOP);
  await signIn(lead, 'sun.li@example.com');
  await lead.waitForSelector('#feedback-totals');
  const reports = await lead.$eval('#feedback-totals tbody td', (td) => td.textContent);
  const to = companyToday();
  const from = addDays(addDays(to, -((new Date(`${to}T00:00:00Z`).getUTCDay() + 6) % 7)), -49);
  const { feedbackSummary } = await leadApi.feedbackSummary({ from, to });
  expect(reports).toBe(String(feedbackSummary.totals.reportCount));
  expect(feedbackSummary.totals.anonymousReportCount).toBeGreaterThanOrEqual(1);
  expect(await lead.textContent('#proposal-board [data-status=ESCALATED]')).toContain('Import bank statements daily');
  // The anonymous report names nobody on the lead's page.
  expect(await lead.textContent('main')).not.toContain('Li Na');
  await shot(lead, 'feedback-desktop');
});
