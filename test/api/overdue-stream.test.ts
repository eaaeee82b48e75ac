/**
 * The integrators' stream over graphql-ws, black-box through the SDK: live delivery,
 * replay after a cursor, two server processes on one database, reconnects and a full
 * restart without a missed or repeated event, and who may see what.
 */
import { createClient, OverdueEventPayload, OverdueEventStream } from '../../sdk/index.js';
import WebSocket from 'ws';
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF, latestCursor as latestEventCursor } from '../helpers/overdue-events';
import { startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let finance: TestUser;
let salesA: TestUser;
let salesB: TestUser;
let integrationToken: string;
let make: Factories;

/**
 * Pulls a stream continuously into a buffer, so waiting for events never loses one
 * (a pending `next()` abandoned by a timeout would swallow the event it resolves with).
 */
class Collector {
  readonly events: OverdueEventPayload[] = [];
  error: unknown;
  private waiters: (() => void)[] = [];

  constructor(readonly stream: OverdueEventStream) {
    void (async () => {
      try {
        for await (const event of stream) {
          this.events.push(event);
          this.waiters.splice(0).forEach((w) => w());
        }
      } catch (e) {
        this.error = e;
        this.waiters.splice(0).forEach((w) => w());
      }
    })();
  }

  /** Waits until `count` events have arrived in total. */
  async waitFor(count: number, ms = 10_000): Promise<OverdueEventPayload[]> {
    const deadline = Date.now() + ms;
    while (this.events.length < count) {
      if (this.error) throw this.error as Error;
      if (Date.now() > deadline) throw new Error(`timed out with ${this.events.length} of ${count} events`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return this.events.slice(0, count);
  }

  /** Expects the total to stay at `count` for `ms`. */
  async expectNoMoreThan(count: number, ms = 1000): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    expect(this.events.length).toBe(count);
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}

/** The cursor of the newest stored event, or null when there is none. */
const latestCursor = () => latestEventCursor(finance.client);

/** Event ids after a cursor, as the polling connection lists them. */
async function idsAfter(cursor: string | null): Promise<string[]> {
  return (await finance.client.overdueEvents({ after: cursor, first: 200 })).overdueEvents.edges.map((e) => e.node.id);
}

const integration = (url = server.url) => createClient({ url, token: integrationToken, webSocketImpl: WebSocket });

beforeAll(async () => {
  server = await startTestServer(CREDIT_RULES_OFF);
  finance = await server.createUser('FINANCE');
  salesA = await server.createUser('SALES');
  salesB = await server.createUser('SALES');
  integrationToken = (await server.admin.createApiToken({ name: 'ERP connector' })).createApiToken.token;
  // Each candidate: a customer of its own with one receivable of 100.00, issued at the start of 2025.
  make = factories(server, { as: finance.client, defaults: { customer: { creditLimit: '9999.00' }, receivable: { issuedOn: '2025-01-02' } } });
});
afterAll(() => server.close());

test('an integration token receives alarms live, with the receivable and customer', async () => {
  const live = new Collector(integration().subscribeOverdueEvents({ after: await latestCursor() }));
  await live.expectNoMoreThan(0, 500);
  const {
    customer: { id: customerId, code },
    receivable: { id: receivableId },
  } = await make.customerWithReceivable({ dueOn: '2025-03-03' }, { ownerId: salesA.id });
  await finance.client.runOverdueScan({ asOf: '2025-03-04' });
  const scanCommitted = Date.now();
  const [event] = await live.waitFor(1);
  const latencyMs = Date.now() - scanCommitted;
  expect(event).toMatchObject({
    type: 'BECAME_OVERDUE',
    stage: 1,
    daysOverdue: 1,
    outstanding: '100.00',
    asOf: '2025-03-04',
    receivable: { id: receivableId, overdueStage: 1 },
    customer: { id: customerId, code },
  });
  expect(latencyMs).toBeLessThan(5000);
  await live.close();
});

test('without a cursor the stream replays every stored event, then goes on live, in order', async () => {
  const page = (await integration().overdueEvents({ first: 200 })).overdueEvents;
  const stored = page.edges.map((e) => e.node);
  expect(stored.length).toBeGreaterThan(0);
  const stream = new Collector(integration().subscribeOverdueEvents()); // no cursor: from the first event
  const replayed = await stream.waitFor(stored.length);
  expect(replayed.map((e) => e.id)).toEqual(stored.map((e) => e.id));

  await make.customerWithReceivable({ dueOn: '2025-03-10' }, { ownerId: salesA.id });
  await finance.client.runOverdueScan({ asOf: '2025-04-20' }); // the new one overdue, the March one escalates to 30
  const all = await stream.waitFor(stored.length + 2);
  expect(
    all
      .slice(stored.length)
      .map((e) => e.type)
      .sort(),
  ).toEqual(['BECAME_OVERDUE', 'STAGE_ESCALATED']);
  expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  await stream.expectNoMoreThan(stored.length + 2, 500);
  await stream.close();
});

test('two server processes on one database: a scan on A reaches a subscriber on B; parallel scans on both write no duplicate', async () => {
  const instanceB = await server.startInstance();
  try {
    const start = await latestCursor();
    const onB = new Collector(integration(instanceB.url).subscribeOverdueEvents({ after: start }));
    const {
      customer: { id: customerId },
    } = await make.customerWithReceivable({ dueOn: '2025-05-05' }, { ownerId: salesB.id });
    await finance.client.runOverdueScan({ asOf: '2025-05-06' }); // on instance A
    const firstBatch = await onB.waitFor((await idsAfter(start)).length);
    expect(firstBatch.some((e) => e.customer.id === customerId && e.type === 'BECAME_OVERDUE')).toBe(true);

    const financeOnB = createClient({ url: instanceB.url, token: finance.token });
    const more = await Promise.all([1, 2, 3].map(() => make.customerWithReceivable({ dueOn: '2025-06-02' }, { ownerId: salesB.id })));
    const scans = await Promise.all([
      finance.client.runOverdueScan({ asOf: '2025-06-03' }),
      financeOnB.runOverdueScan({ asOf: '2025-06-03' }),
      finance.client.runOverdueScan({ asOf: '2025-06-03' }),
      financeOnB.runOverdueScan({ asOf: '2025-06-03' }),
    ]);
    const became = scans.reduce((n, s) => n + s.runOverdueScan.becameOverdue, 0);
    expect(became).toBe(3);
    const expected = await idsAfter(start);
    const received = await onB.waitFor(expected.length);
    expect(received.map((e) => e.id)).toEqual(expected);
    const newOnes = received.filter((e) => more.some((m) => m.customer.id === e.customer.id));
    expect(newOnes.map((e) => e.type)).toEqual(['BECAME_OVERDUE', 'BECAME_OVERDUE', 'BECAME_OVERDUE']);
    await onB.expectNoMoreThan(expected.length, 800);
    await onB.close();
  } finally {
    expect(await instanceB.stop()).toBe(0);
  }
});

test('a subscriber that disconnects and comes back with its cursor gets exactly what it missed', async () => {
  const start = await latestCursor();
  const first = new Collector(integration().subscribeOverdueEvents({ after: start }));
  await make.customerWithReceivable({ dueOn: '2025-07-01' }, { ownerId: salesA.id });
  await finance.client.runOverdueScan({ asOf: '2025-07-02' });
  await first.waitFor((await idsAfter(start)).length);
  const cursor = first.stream.cursor!;
  await first.close();

  // Offline: two scans happen.
  await make.customerWithReceivable({ dueOn: '2025-07-07' }, { ownerId: salesA.id });
  const missedA = (await finance.client.runOverdueScan({ asOf: '2025-07-08' })).runOverdueScan;
  const missedB = (await finance.client.runOverdueScan({ asOf: '2025-08-01' })).runOverdueScan;
  const missedCount = [missedA, missedB].reduce((n, s) => n + s.becameOverdue + s.escalated + s.cleared, 0);
  expect(missedCount).toBeGreaterThanOrEqual(3);

  const expected = (await integration().overdueEvents({ after: cursor, first: 200 })).overdueEvents.edges.map((e) => e.node.id);
  expect(expected).toHaveLength(missedCount);
  const again = new Collector(integration().subscribeOverdueEvents({ after: cursor }));
  const caughtUp = await again.waitFor(missedCount);
  expect(caughtUp.map((e) => e.id)).toEqual(expected);
  await again.expectNoMoreThan(missedCount, 800);
  await again.close();
});

test('across a full server restart the SDK reconnects by itself and resumes without gaps or repeats', async () => {
  const start = await latestCursor();
  const stream = new Collector(integration().subscribeOverdueEvents({ after: start }, { initialRetryDelayMs: 100 }));
  await make.customerWithReceivable({ dueOn: '2025-09-01' }, { ownerId: salesB.id });
  await finance.client.runOverdueScan({ asOf: '2025-09-02' });
  const beforeCount = (await idsAfter(start)).length;
  await stream.waitFor(beforeCount);

  await server.restart(); // same port; the stream's socket drops
  await make.customerWithReceivable({ dueOn: '2025-09-15' }, { ownerId: salesB.id });
  await finance.client.runOverdueScan({ asOf: '2025-10-20' });
  const expected = await idsAfter(start);
  expect(expected.length).toBeGreaterThan(beforeCount);
  const all = await stream.waitFor(expected.length, 20_000);
  expect(all.map((e) => e.id)).toEqual(expected);
  await stream.expectNoMoreThan(expected.length, 800);
  await stream.close();
});

test('a SALES subscriber only ever receives events of their own customers', async () => {
  const mine = new Collector(salesA.client.subscribeOverdueEvents());
  const all = (await finance.client.overdueEvents({ first: 200 })).overdueEvents.edges.map((e) => e.node);
  const expectedIds = (await salesA.client.overdueEvents({ first: 200 })).overdueEvents.edges.map((e) => e.node.id);
  expect(expectedIds.length).toBeGreaterThan(0);
  expect(expectedIds.length).toBeLessThan(all.length);
  const replayed = await mine.waitFor(expectedIds.length);
  expect(replayed.map((e) => e.id)).toEqual(expectedIds);

  const start = await latestCursor();
  await make.customerWithReceivable({ dueOn: '2025-11-03' }, { ownerId: salesB.id }); // not A's
  const ownA = await make.customerWithReceivable({ dueOn: '2025-11-03' }, { ownerId: salesA.id });
  await finance.client.runOverdueScan({ asOf: '2025-11-04' });
  const newForA = (await salesA.client.overdueEvents({ after: start, first: 200 })).overdueEvents.edges.map((e) => e.node);
  expect(newForA.some((e) => e.customer.id === ownA.customer.id)).toBe(true);
  const received = await mine.waitFor(expectedIds.length + newForA.length);
  expect(received.slice(expectedIds.length).map((e) => e.id)).toEqual(newForA.map((e) => e.id));
  await mine.expectNoMoreThan(expectedIds.length + newForA.length, 1000);
  expect(mine.events.every((e) => e.customer.code !== undefined)).toBe(true);
  const salesBCustomers = (await salesB.client.customers({ first: 200 })).customers.edges.map((e) => e.node.id);
  expect(mine.events.some((e) => salesBCustomers.includes(e.customer.id))).toBe(false);
  await mine.close();
});

test('without a valid token the connection is refused; a PROJECT_LEAD is forbidden', async () => {
  const anonymous = createClient({ url: server.url, webSocketImpl: WebSocket }).subscribeOverdueEvents();
  await expect(anonymous.next()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  const forged = createClient({ url: server.url, token: 'hkt_not-a-real-token', webSocketImpl: WebSocket }).subscribeOverdueEvents();
  await expect(forged.next()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  const lead = await server.createUser('PROJECT_LEAD');
  await expect(lead.client.subscribeOverdueEvents().next()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  await expect(integration().subscribeOverdueEvents({ after: 'garbage' }).next()).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
});
