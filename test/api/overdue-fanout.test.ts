/**
 * The overdue stream with many subscribers at once, black-box over graphql-ws: every
 * subscriber gets exactly the events its role, scope and filter allow, whatever its
 * selection; the SQL a scan costs does not grow with the number of subscribers; and a
 * socket that stops reading holds up nobody, then gets everything it missed.
 */
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createClient, operationSources, type Client, type OverdueEventFilter } from '../../sdk/index.js';
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF, latestCursor as latestEventCursor } from '../helpers/overdue-events';
import { startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let finance: TestUser;
let salesA: TestUser;
let salesB: TestUser;
let integrationTokens: string[];
let make: Factories;
const opened: WsClient[] = [];

type Payload = { data?: { overdueEvents: Record<string, unknown> & { id: string } } | null; errors?: unknown[] };

/** The TCP socket under a `ws` WebSocket: pausing it stops reading, as a stalled client would. */
const tcpOf = (socket: unknown) => (socket as { _socket: { pause(): void; resume(): void } })._socket;

/** One graphql-ws subscription with its own document, collecting every payload. */
class Subscriber {
  readonly payloads: Payload[] = [];
  ended: unknown;
  readonly client: WsClient;
  socket: unknown;

  constructor(token: string, query: string, variables: Record<string, unknown>) {
    this.client = createWsClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
      on: { opened: (socket) => (this.socket = socket) },
    });
    opened.push(this.client);
    this.client.subscribe<Payload['data']>(
      { query, variables },
      {
        next: (result) => this.payloads.push(result as Payload),
        error: (error) => (this.ended = error),
        complete: () => (this.ended ??= 'completed'),
      },
    );
  }

  ids(): string[] {
    return this.payloads.map((p) => p.data?.overdueEvents.id ?? `errors: ${JSON.stringify(p.errors)}`);
  }

  async waitFor(count: number, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.payloads.length < count) {
      if (this.ended) throw new Error(`subscription ended: ${JSON.stringify(this.ended)}`);
      if (Date.now() > deadline) throw new Error(`timed out with ${this.payloads.length} of ${count} events`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const SDK_DOCUMENT = operationSources.subscribeOverdueEvents.source;

/** Another selection: fewer fields, a different shape. */
const IDS_ONLY = /* GraphQL */ `
  subscription idsOnly($after: String, $filter: OverdueEventFilter) {
    overdueEvents(after: $after, filter: $filter) {
      id
      type
      customer {
        id
        owner {
          id
        }
      }
    }
  }
`;

/** A selection with a variable below the root field: its answers depend on the variable's value. */
const FIRST_RECEIVABLES = /* GraphQL */ `
  subscription firstReceivables($after: String, $filter: OverdueEventFilter, $n: Int) {
    overdueEvents(after: $after, filter: $filter) {
      id
      customer {
        receivables(first: $n) {
          nodes {
            id
          }
        }
      }
    }
  }
`;

const integration = (i: number): Client => createClient({ url: server.url, token: integrationTokens[i % integrationTokens.length], webSocketImpl: WebSocket });

/** The cursor of the newest stored event, or null when there is none. */
const latestCursor = () => latestEventCursor(finance.client);

/** Event ids after a cursor as the caller's polling connection lists them: what its subscription must deliver. */
async function expectedIds(client: Client, after: string | null, filter?: OverdueEventFilter): Promise<string[]> {
  const ids: string[] = [];
  let cursor = after;
  for (;;) {
    const page = (await client.overdueEvents({ after: cursor, first: 200, filter })).overdueEvents;
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    cursor = page.pageInfo.endCursor;
  }
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

/** The statement counter once it has stood still for a while (the server has finished what was in flight). */
async function settledStatements(): Promise<number> {
  let last = await metric('huikuan_db_statements_total');
  for (;;) {
    await new Promise((r) => setTimeout(r, 700));
    const now = await metric('huikuan_db_statements_total');
    if (now === last) return now;
    last = now;
  }
}

beforeAll(async () => {
  // A stalled socket below must outlive its stall: the keep-alive would close it after 12–24 s by default.
  // The counts below are alarms: the credit status rules are off (their events are tested in credit-status.test.ts).
  server = await startTestServer({ ...CREDIT_RULES_OFF, WS_KEEPALIVE: '60s' });
  finance = await server.createUser('FINANCE');
  salesA = await server.createUser('SALES');
  salesB = await server.createUser('SALES');
  integrationTokens = [];
  for (let i = 0; i < 3; i++) integrationTokens.push((await server.admin.createApiToken({ name: `ERP ${i}` })).createApiToken.token);
  make = factories(server, { as: finance.client, defaults: { customer: { creditLimit: '999999.00' }, receivable: { issuedOn: '2025-01-02' } } });
}, 60_000);
afterAll(async () => {
  await Promise.all(opened.map(async (c) => c.dispose()));
  await server.close();
});

test('subscribers of different roles, scopes, filters and selections each get exactly their events, in order, once', async () => {
  const start = await latestCursor();
  const aCustomers = await Promise.all([1, 2, 3].map(() => make.customer({ ownerId: salesA.id })));
  const bCustomers = await Promise.all([1, 2, 3].map(() => make.customer({ ownerId: salesB.id })));
  for (const c of [...aCustomers, ...bCustomers]) await make.receivable(c.id, { dueOn: '2025-03-03' });

  const plans: { name: string; token: string; client: Client; query: string; filter?: OverdueEventFilter; n?: number }[] = [];
  const filters: (OverdueEventFilter | undefined)[] = [
    undefined,
    { customerId: aCustomers[0].id },
    { customerId: bCustomers[1].id },
    { salespersonId: salesB.id },
    { types: ['STAGE_ESCALATED', 'CLEARED'] },
    { minStage: 30 },
  ];
  const callers = [
    { name: 'finance', token: finance.token, client: finance.client },
    { name: 'sales A', token: salesA.token, client: salesA.client },
    { name: 'sales B', token: salesB.token, client: salesB.client },
    ...[0, 1, 2].map((i) => ({ name: `integration ${i}`, token: integrationTokens[i], client: integration(i) })),
  ];
  for (const caller of callers) {
    for (const [f, filter] of filters.entries()) {
      plans.push({ ...caller, query: SDK_DOCUMENT, filter });
      if (f % 2 === 0) plans.push({ ...caller, query: IDS_ONLY, filter });
      if (f % 3 === 0) plans.push({ ...caller, query: FIRST_RECEIVABLES, filter, n: 1 + (plans.length % 2) });
    }
  }
  expect(plans.length).toBeGreaterThanOrEqual(60);
  const subscribers = plans.map((p) => new Subscriber(p.token, p.query, { after: start, filter: p.filter, ...(p.n ? { n: p.n } : {}) }));

  await make.overdueScan('2025-03-04'); // six BECAME_OVERDUE
  // One of A's paid in time, booked late: CLEARED at once (re-evaluation).
  await make.payment(aCustomers[1].id, { amount: '100.00', receivedOn: '2025-03-04', lagReason: 'historical import' });
  await make.overdueScan('2025-04-02'); // the other five reach stage 30: STAGE_ESCALATED

  const expected = await Promise.all(plans.map((p) => expectedIds(p.client, start, p.filter)));
  const all = await expectedIds(finance.client, start);
  expect(all).toHaveLength(12);
  await Promise.all(subscribers.map((s, i) => s.waitFor(expected[i].length)));
  await new Promise((r) => setTimeout(r, 800));
  for (const [i, s] of subscribers.entries()) {
    expect({ plan: `${plans[i].name} ${JSON.stringify(plans[i].filter)}`, ids: s.ids() }).toEqual({
      plan: `${plans[i].name} ${JSON.stringify(plans[i].filter)}`,
      ids: expected[i],
    });
  }
  // Every filter and scope narrowed something, and answers follow each subscriber's own selection.
  expect(new Set(expected.map((e) => e.length)).size).toBeGreaterThan(3);
  for (const [i, s] of subscribers.entries()) {
    for (const { data } of s.payloads) {
      const event = data!.overdueEvents;
      if (plans[i].query === IDS_ONLY) expect(Object.keys(event).sort()).toEqual(['customer', 'id', 'type']);
      if (plans[i].query === FIRST_RECEIVABLES) {
        expect((event.customer as { receivables: { nodes: unknown[] } }).receivables.nodes.length).toBeLessThanOrEqual(plans[i].n!);
      }
      if (plans[i].query === SDK_DOCUMENT) expect(event).toHaveProperty('receivable.reference');
    }
  }
  // SALES: own customers only, whatever the filter asked for (the selections that name the customer).
  const aIds = new Set(aCustomers.map((c) => c.id));
  const customersSeenBy = (name: string) =>
    subscribers
      .filter((_, i) => plans[i].name === name && plans[i].query !== FIRST_RECEIVABLES)
      .flatMap((s) => s.payloads.map((p) => (p.data!.overdueEvents.customer as { id: string }).id));
  const aSees = customersSeenBy('sales A');
  expect(aSees.length).toBeGreaterThan(0);
  expect(aSees.every((id) => aIds.has(id))).toBe(true);
  const bSees = customersSeenBy('sales B');
  expect(bSees.length).toBeGreaterThan(0);
  expect(bSees.some((id) => aIds.has(id))).toBe(false);
  await Promise.all(subscribers.map(async (s) => s.client.dispose()));
});

test('the SQL statements of a scan and its delivery do not grow with the number of subscribers', async () => {
  /**
   * Ten receivables of ten customers (five of each salesperson) fall overdue in one scan;
   * returns the statements from the scan until every subscriber has its events (ten, or
   * a salesperson's five). What each got is checked against the polling connection after
   * the count, whose own statements would count otherwise.
   */
  const scanOf = async (dueOn: string, asOf: string, subscribers: { s: Subscriber; client: Client; sales: boolean }[], start: string | null) => {
    for (let i = 0; i < 10; i++) await make.customerWithReceivable({ dueOn }, { ownerId: i % 2 ? salesA.id : salesB.id });
    const before = await settledStatements();
    await make.overdueScan(asOf);
    await Promise.all(subscribers.map(({ s, sales }) => s.waitFor(sales ? 5 : 10)));
    const statements = (await settledStatements()) - before;
    const expected = await Promise.all(subscribers.map(({ client }) => expectedIds(client, start)));
    subscribers.forEach(({ s }, i) => expect(s.ids()).toEqual(expected[i]));
    return statements;
  };

  const start = await latestCursor();
  const one = [{ s: new Subscriber(integrationTokens[0], SDK_DOCUMENT, { after: start }), client: integration(0), sales: false }];
  const withOne = await scanOf('2025-04-07', '2025-04-08', one, start);

  const startMany = await latestCursor();
  const callers = [
    ...integrationTokens.map((token, i) => ({ token, client: integration(i), sales: false })),
    { token: finance.token, client: finance.client, sales: false },
    { token: salesA.token, client: salesA.client, sales: true },
    { token: salesB.token, client: salesB.client, sales: true },
  ];
  const many = Array.from({ length: 60 }, (_, i) => {
    const caller = callers[i % callers.length];
    return { s: new Subscriber(caller.token, SDK_DOCUMENT, { after: startMany }), client: caller.client, sales: caller.sales };
  });
  const withMany = await scanOf('2025-04-14', '2025-04-15', many, startMany);

  // Before the fan-out each subscriber loaded its own batch: 4 or more statements each, 240+ here.
  // A margin of 3: the hub's fallback poll reads the event table every 2 s while anyone listens.
  expect(withMany).toBeLessThanOrEqual(withOne + 3);
  await Promise.all([...one, ...many].map(async ({ s }) => s.client.dispose()));
});

test('a socket that stops reading holds up nobody, then receives every event it missed, in order', async () => {
  const BIG = /* GraphQL */ `
    subscription big($after: String) {
      overdueEvents(after: $after) {
        id
        a: customer {
          ...allReceivables
        }
        b: customer {
          ...allReceivables
        }
      }
    }
    fragment allReceivables on Customer {
      receivables(first: 200) {
        nodes {
          id
          reference
          amount
          outstanding
          issuedOn
          dueOn
          effectiveDueOn
          status
          overdueStage
          daysOverdue
        }
      }
    }
  `;
  const start = await latestCursor();
  const stalled = new Subscriber(integrationTokens[0], BIG, { after: start });
  const others = [
    new Subscriber(integrationTokens[1], BIG, { after: start }),
    new Subscriber(integrationTokens[2], BIG, { after: start }),
    new Subscriber(finance.token, SDK_DOCUMENT, { after: start }),
    new Subscriber(salesA.token, IDS_ONLY, { after: start }),
  ];
  // A warm-up event proves every subscription live before the stalled one stops reading.
  await make.customerWithReceivable({ dueOn: '2025-04-21' }, { ownerId: salesA.id });
  await make.overdueScan('2025-04-22');
  await Promise.all([stalled, ...others].map((s) => s.waitFor(1)));

  // One customer with 150 receivables falling overdue at once: each answer lists them all, twice (~13 MB to each BIG subscriber).
  const big = await make.customer({ ownerId: salesA.id });
  for (let i = 0; i < 150; i++) await make.receivable(big.id, { dueOn: '2025-04-28', reference: `BIG-${i}` });
  const catchUpsBefore = await metric('huikuan_subscription_catch_ups_total');
  tcpOf(stalled.socket).pause();
  const paused = Date.now();
  await make.overdueScan('2025-04-29');
  const expected = await expectedIds(finance.client, start);
  expect(expected).toHaveLength(151);

  // The others get everything while the stalled socket reads nothing.
  await Promise.all(others.map((s) => s.waitFor(151, 45_000)));
  others.forEach((s) => expect(s.ids()).toEqual(expected.slice(0, s.payloads.length)));
  expect(others[0].ids()).toEqual(expected);
  expect(stalled.payloads.length).toBe(1);
  // The server stopped writing to it instead of queueing 13 MB for it.
  const deadline = Date.now() + 5000;
  while ((await metric('huikuan_subscription_catch_ups_total')) <= catchUpsBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(await metric('huikuan_subscription_catch_ups_total')).toBeGreaterThan(catchUpsBefore);
  // Within the keep-alive (WS_KEEPALIVE 60s here), which would close a socket that answers no ping.
  expect(Date.now() - paused).toBeLessThan(55_000);

  tcpOf(stalled.socket).resume();
  await stalled.waitFor(151, 30_000);
  await new Promise((r) => setTimeout(r, 500));
  expect(stalled.ids()).toEqual(expected);
  expect(stalled.ended).toBeUndefined();
  const answer = stalled.payloads[150].data!.overdueEvents as unknown as { a: { receivables: { nodes: unknown[] } } };
  expect(answer.a.receivables.nodes).toHaveLength(150);
  await Promise.all([stalled, ...others].map(async (s) => s.client.dispose()));
}, 150_000);
