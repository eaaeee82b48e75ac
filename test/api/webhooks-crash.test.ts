/**
 * Webhook delivery across crashes and instances, black-box on the real server process:
 * kill -9 while 1,200 deliveries are under way and start the server again — every
 * (event, endpoint) reaches its receiver, counted by Huikuan-Event-Id, and the duplicates
 * (at-least-once) are reported; two instances on one database deliver each job once.
 */
import { addDays } from '../../server/core/local-date';
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF } from '../helpers/overdue-events';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const TODAY = '2026-12-07';

let server: TestServer;
let make: Factories;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  server = await startTestServer({
    CLOCK_DATE: TODAY,
    WEEKLY_ANALYSIS_AT: 'off',
    WEBHOOK_ALLOW_PRIVATE: '1',
    WEBHOOK_RETRY_BASE: '100ms',
    ...CREDIT_RULES_OFF,
  });
  make = factories(server, { today: TODAY });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server.close();
});

/** A customer with `count` receivables that fall overdue at the next scan (created four at a time). */
async function overdueCustomer(count: number): Promise<string> {
  const customer = await make.customer();
  for (let i = 0; i < count; i += 4) {
    await Promise.all(
      Array.from({ length: Math.min(4, count - i) }, (_, k) =>
        make.receivable(customer.id, { reference: `INV-${customer.code}-${i + k}`, issuedOn: addDays(TODAY, -60), dueOn: addDays(TODAY, -20) }),
      ),
    );
  }
  return customer.id;
}

/** `count` endpoints for the customer's events, each with a receiver of its own. */
async function endpoints(customerId: string, count: number): Promise<WebhookReceiver[]> {
  const made: WebhookReceiver[] = [];
  for (let i = 0; i < count; i++) {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    made.push(receiver);
    await server.admin.createWebhookEndpoint({ url: receiver.url, filter: { customerId } });
  }
  return made;
}

async function eventIds(customerId: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = (
      await server.admin.overdueEvents({ filter: { customerId }, first: 200, after })
    ).overdueEvents;
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

/** How often each event id arrived (accepted) at a receiver. */
function arrivals(receiver: WebhookReceiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of receiver.accepted) counts.set(d.eventId, (counts.get(d.eventId) ?? 0) + 1);
  return counts;
}

test('kill -9 while 1,200 deliveries are under way, restart: every event reaches every endpoint, none missing', async () => {
  const customerId = await overdueCustomer(600);
  const targets = await endpoints(customerId, 2);
  for (const target of targets) target.respond = () => new Promise((resolve) => setTimeout(() => resolve(200), 2));

  await make.overdueScan(TODAY);
  const events = await eventIds(customerId);
  expect(events).toHaveLength(600);
  const received = () => targets.reduce((n, t) => n + t.accepted.length, 0);
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = setInterval(() => {
      if (received() >= 200) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error(`only ${received()} deliveries arrived before the kill`));
      }
    }, 5);
  });
  process.kill(server.pid, 'SIGKILL');
  const atKill = received();
  expect(atKill).toBeLessThan(1200);

  await server.restart();
  for (const target of targets) await target.waitFor(600, 120_000);
  // Wait until nothing is open any more, then count: each (event, endpoint) at least once.
  const open = async () => Number((await server.sql<{ n: string }>(`select count(*) as n from webhook_delivery where status in ('PENDING', 'FAILED')`))[0].n);
  for (let waited = 0; (await open()) > 0; waited += 100) {
    if (waited > 30_000) throw new Error(`${await open()} deliveries still open`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let duplicates = 0;
  for (const target of targets) {
    const counts = arrivals(target);
    expect(events.filter((id) => !counts.has(id))).toEqual([]);
    expect([...counts.keys()].every((id) => events.includes(id))).toBe(true);
    duplicates += [...counts.values()].reduce((n, c) => n + c - 1, 0);
    // Each endpoint's first arrivals are in event order.
    const firsts = [...counts.keys()];
    expect(firsts).toEqual(events.filter((id) => firsts.includes(id)));
  }
  // At least once: an event whose answer the killed process never recorded is sent again, at most one per endpoint in flight.
  process.stdout.write(`crash test: ${atKill} deliveries arrived before kill -9; 1200 (event, endpoint) pairs; ${duplicates} duplicate(s) after the restart\n`);
  expect(duplicates).toBeLessThanOrEqual(targets.length);
}, 240_000);

test('SIGTERM while an endpoint has a backlog: the server stops in order, and the rest is delivered after the start', async () => {
  const customerId = await overdueCustomer(300);
  const [target] = await endpoints(customerId, 1);
  target.respond = () => new Promise((resolve) => setTimeout(() => resolve(200), 10));
  await make.overdueScan(TODAY);
  const events = await eventIds(customerId);
  await target.waitFor(50);
  // A drain holding the shutdown up past SHUTDOWN_TIMEOUT_SECONDS would make the process exit with 1.
  expect(await server.restart()).toBe(0);
  expect(target.accepted.length).toBeLessThan(300);
  await target.waitFor(300, 60_000);
  const counts = arrivals(target);
  expect(events.filter((id) => !counts.has(id))).toEqual([]);
  expect([...counts.keys()]).toEqual(events);
}, 120_000);

test('two instances on one database deliver each (event, endpoint) exactly once, in order', async () => {
  const second = await server.startInstance();
  try {
    const customerId = await overdueCustomer(200);
    const targets = await endpoints(customerId, 3);
    await make.overdueScan(TODAY);
    const events = await eventIds(customerId);
    expect(events).toHaveLength(200);
    for (const target of targets) await target.waitFor(200, 60_000);
    // A moment for anything sent twice to arrive as well.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const target of targets) expect(target.all.map((d) => d.eventId)).toEqual(events);
  } finally {
    await second.stop();
  }
}, 180_000);
