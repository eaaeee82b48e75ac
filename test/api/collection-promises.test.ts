/**
 * A salesperson's week of collection work, black-box through the SDK on a fixed clock
 * that the test moves (the server restarts with the next CLOCK_DATE): calls logged
 * offline and uploaded twice, promises to pay kept on time, broken and then corrected by
 * a late booking whose money arrived in time, and every event of the stream exactly
 * once, in order. Then SALES isolation and bad input that changes nothing.
 *
 * The week (Asia/Shanghai; no holidays; PROMISE_GRACE_WORKING_DAYS 1):
 *   R1 1000.00 and R2 600.00 of Li's customer A, due Fri 2026-11-20 (overdue since the 21st).
 *   Sun 12-06 (offline): call → PROMISED 1000.00 of R1 by Wed 12-09; call → PROMISED 600.00
 *                        of R2 by Tue 12-08; call → NO_ANSWER. Uploaded Mon 12-07, twice.
 *   Tue 12-08: 1000.00 arrives for R1 and is booked the same day: the scan of 12-08 clears
 *              R1 and keeps promise 1 (1000 of 1000 arrived 12-08 ≤ due 12-09).
 *   Thu 12-10: promise 2 is due Tue 12-08, deadline 12-08 + 1 working day = Wed 12-09;
 *              the scan of Thu 12-10 finds nothing arrived: BROKEN.
 *   Fri 12-11: finance books 600.00 for R2 with receivedOn Tue 12-08 (3 working days'
 *              lag, within BOOKING_LAG_LIMIT_DAYS): judged at once as of the engine's
 *              date 12-10, R2 is CLEARED and promise 2 becomes KEPT (previous state BROKEN).
 */
import WebSocket from 'ws';
import { createClient, type OverdueEventPayload } from '../../sdk/index.js';
import { factories, type Factories } from '../helpers/factories';
import { expectApiError, rejection, startTestServer, type TestServer, type TestUser } from '../helpers/server';

const MON = '2026-12-07';
const TUE = '2026-12-08';
const WED = '2026-12-09';
const THU = '2026-12-10';
const FRI = '2026-12-11';
/** Sunday 15:00 in Shanghai: the day before the upload. */
const SUNDAY_AFTERNOON = '2026-12-06T07:00:00.000Z';

let server: TestServer;
let make: Factories;
let finance: TestUser;
let li: TestUser;
let wang: TestUser;
let customerA: string;
let codeA: string;
let customerB: string;
let r1: string;
let r2: string;
let rB: string;

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: MON });
  make = factories(server, { today: MON });
  finance = await server.createUser('FINANCE', 'Chen Jing');
  li = await server.createUser('SALES', 'Li Na');
  wang = await server.createUser('SALES', 'Wang Wei');
  const created = await make.customer({ ownerId: li.id, name: 'Jinhua Trading' });
  customerA = created.id;
  codeA = created.code;
  customerB = (await make.customer({ ownerId: wang.id, name: 'Ningbo Parts' })).id;
  r1 = (await make.receivable(customerA, { reference: 'R1', amount: '1000.00', issuedOn: '2026-10-21', dueOn: '2026-11-20' })).id;
  r2 = (await make.receivable(customerA, { reference: 'R2', amount: '600.00', issuedOn: '2026-10-21', dueOn: '2026-11-20' })).id;
  rB = (await make.receivable(customerB, { reference: 'RB', amount: '300.00', issuedOn: '2026-10-21', dueOn: '2026-11-20' })).id;
  await make.overdueScan(MON);
});
afterAll(() => server?.close());

const count = async (table: string): Promise<number> => (await server.sql<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;

async function eventsSeenBy(user: TestUser): Promise<string[]> {
  const { overdueEvents } = await user.client.overdueEvents({ first: 200 });
  return overdueEvents.edges.map(({ node }) => describe_(node));
}

/** An event in one line: what a reader of the stream would check. */
function describe_(e: Pick<OverdueEventPayload, 'type' | 'asOf' | 'state' | 'previousState' | 'amount' | 'receivable' | 'customer'>): string {
  const what = e.receivable?.reference ?? e.customer.code;
  return [e.asOf, e.type, what, e.state, e.previousState, e.amount].filter((x) => x !== null && x !== undefined).join(' ');
}

describe("a salesperson's week", () => {
  const uploads = [
    {
      idempotencyKey: 'phone-li-0001',
      customerId: '',
      receivableIds: [] as string[],
      kind: 'CALL' as const,
      outcome: 'PROMISED' as const,
      note: 'Boss says the transfer goes out Wednesday',
      occurredAt: SUNDAY_AFTERNOON,
      nextActionOn: WED,
      promise: { amount: '1000.00', promisedOn: WED },
    },
    {
      idempotencyKey: 'phone-li-0002',
      customerId: '',
      receivableIds: [] as string[],
      kind: 'VISIT' as const,
      outcome: 'PROMISED' as const,
      note: 'Will pay R2 on Tuesday',
      occurredAt: '2026-12-06T08:00:00.000Z',
      promise: { amount: '600.00', promisedOn: TUE },
    },
    {
      idempotencyKey: 'phone-li-0003',
      customerId: '',
      kind: 'CALL' as const,
      outcome: 'NO_ANSWER' as const,
      occurredAt: '2026-12-06T09:00:00.000Z',
    },
  ];

  test('Monday: three calls logged offline, uploaded twice, are three activities and two promises', async () => {
    uploads[0].customerId = uploads[1].customerId = uploads[2].customerId = customerA;
    uploads[0].receivableIds = [r1];
    uploads[1].receivableIds = [r2];
    // The phone uploads its queue in order; it lost the answers and sends everything again.
    const first = [];
    for (const input of uploads) first.push(await li.client.logCollectionActivity({ input }));
    const again = [];
    for (const input of uploads) again.push(await li.client.logCollectionActivity({ input }));
    expect(again.map((a) => a.logCollectionActivity.id)).toEqual(first.map((a) => a.logCollectionActivity.id));
    expect(await count('collection_activity')).toBe(3);
    expect(await count('promise_to_pay')).toBe(2);

    const [call1, call2, call3] = first.map((a) => a.logCollectionActivity);
    expect(call1).toMatchObject({ kind: 'CALL', outcome: 'PROMISED', occurredOn: '2026-12-06', nextActionOn: WED, recordedBy: { id: li.id } });
    expect(call1.promise).toMatchObject({
      amount: '1000.00',
      promisedOn: WED,
      dueOn: WED,
      deadlineOn: THU,
      madeOn: '2026-12-06',
      state: 'OPEN',
      paidAmount: '0.00',
    });
    expect(call2.promise).toMatchObject({ amount: '600.00', promisedOn: TUE, dueOn: TUE, deadlineOn: WED, state: 'OPEN' });
    expect(call3.promise).toBeNull();

    const { activities } = await li.client.activities({ customerId: customerA });
    expect(activities.totalCount).toBe(3);
    // Newest first by when they happened, not when they were uploaded.
    expect(activities.nodes.map((a) => a.outcome)).toEqual(['NO_ANSWER', 'PROMISED', 'PROMISED']);

    // An open promise changes no money figure and no stage.
    const { customer } = await li.client.customer({ id: customerA });
    expect(customer).toMatchObject({ outstanding: '1600.00', overdueAmount: '1600.00' });
  });

  test('Tuesday: the money for R1 arrives and is booked; the scan keeps promise 1', async () => {
    await server.restart({ CLOCK_DATE: TUE });
    await make.as(finance.client).payment(customerA, { amount: '1000.00', receivedOn: TUE, allocations: [{ receivableId: r1, amount: '1000.00' }] });
    await make.overdueScan(TUE);
    const { promises } = await li.client.promises({ customerId: customerA });
    const byAmount = Object.fromEntries(promises.nodes.map((p) => [p.amount, p]));
    expect(byAmount['1000.00']).toMatchObject({ state: 'KEPT', paidAmount: '1000.00', keptOn: TUE, brokenOn: null });
    // Judged as of Monday (right after the booking, the engine's date then) and Tuesday, unchanged: judgedOn says when it last changed.
    expect(byAmount['600.00']).toMatchObject({ state: 'OPEN', judgedOn: MON, paidAmount: '0.00' });
  });

  test('Thursday: promise 2 passed its deadline without money: BROKEN', async () => {
    await server.restart({ CLOCK_DATE: THU });
    await make.overdueScan(WED); // the deadline itself: still open
    expect((await li.client.promises({ states: ['OPEN'] })).promises.totalCount).toBe(1);
    await make.overdueScan(THU);
    const { promises } = await li.client.promises({ states: ['BROKEN'] });
    expect(promises.nodes).toEqual([expect.objectContaining({ amount: '600.00', brokenOn: THU, paidAmount: '0.00' })]);
  });

  test('Friday: a late booking of money that arrived Tuesday turns the broken promise KEPT, live in the stream', async () => {
    await server.restart({ CLOCK_DATE: FRI });
    const client = createClient({ url: server.url, token: li.token, webSocketImpl: WebSocket });
    const stream = client.subscribeOverdueEvents({});
    const seen: OverdueEventPayload[] = [];
    const pull = (async () => {
      for await (const event of stream) {
        seen.push(event);
        if (seen.length === 11) break;
      }
    })();
    // The replay of the week so far: Li's customer only, each event once, in commit order.
    const deadline = Date.now() + 15_000;
    while (seen.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await make.as(finance.client).payment(customerA, { amount: '600.00', receivedOn: TUE, allocations: [{ receivableId: r2, amount: '600.00' }] });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pull, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`only ${seen.length} events`)), 15_000)))]);
    clearTimeout(timer);
    await stream.return?.();

    const lines = seen.map(describe_);
    // R1 and R2 fall overdue in the same scan, due the same day: in the order of their ids.
    expect(lines.slice(0, 2).sort()).toEqual([`${MON} BECAME_OVERDUE R1`, `${MON} BECAME_OVERDUE R2`]);
    expect(lines.slice(2)).toEqual([
      `${MON} PROMISE_MADE R1 OPEN 1000.00`,
      `${MON} PROMISE_MADE R2 OPEN 600.00`,
      `${TUE} CLEARED R1`,
      `${TUE} PROMISE_KEPT R1 KEPT OPEN 1000.00`,
      `${THU} PROMISE_BROKEN R2 BROKEN OPEN 600.00`,
      // One broken promise in 30 days puts the customer on WARN (docs/metrics.md, credit status).
      `${THU} CREDIT_STATUS_CHANGED ${codeA} WARN OK`,
      // Live: judged at once as of the engine's date (the last scan's, Thursday).
      `${THU} CLEARED R2`,
      `${THU} PROMISE_KEPT R2 KEPT BROKEN 600.00`,
      // The promise is no longer broken: OK again.
      `${THU} CREDIT_STATUS_CHANGED ${codeA} OK WARN`,
    ]);
    // The polling connection tells the same story.
    expect(await eventsSeenBy(li)).toEqual(seen.map(describe_));
    const { overdueEvents } = await li.client.overdueEvents({ first: 200, filter: { types: ['PROMISE_KEPT'] } });
    expect(overdueEvents.edges[1].node).toMatchObject({ previousState: 'BROKEN', promise: { state: 'KEPT' } });
    expect(overdueEvents.edges[1].node.detail).toMatch(/booked late/);

    const { promises } = await li.client.promises({ customerId: customerA, states: ['KEPT'] });
    expect(promises.nodes.map((p) => [p.amount, p.brokenOn, p.keptOn])).toEqual([
      ['1000.00', null, TUE],
      ['600.00', THU, THU],
    ]);
  });

  test('scans again change nothing: every promise event exists once', async () => {
    await make.overdueScan(FRI);
    await make.overdueScan(FRI);
    const rows = await server.sql<{ type: string; n: number }>(
      `select type, count(*)::int as n from overdue_event where promise_id is not null group by type order by type`,
    );
    expect(rows).toEqual([
      { type: 'PROMISE_BROKEN', n: 1 },
      { type: 'PROMISE_KEPT', n: 2 },
      { type: 'PROMISE_MADE', n: 2 },
    ]);
  });

  test('ten days later the phone retries its queue: the first answers, nothing new; a new upload that old is refused', async () => {
    await server.restart({ CLOCK_DATE: '2026-12-16' });
    try {
      const before = await Promise.all(['collection_activity', 'promise_to_pay', 'overdue_event'].map(count));
      const ids = [];
      for (const input of uploads) ids.push((await li.client.logCollectionActivity({ input })).logCollectionActivity.id);
      const { activities } = await li.client.activities({ customerId: customerA });
      expect(ids).toEqual([...activities.nodes].reverse().map((a) => a.id));
      expect(await Promise.all(['collection_activity', 'promise_to_pay', 'overdue_event'].map(count))).toEqual(before);
      // The same call under a new key is a new activity, 10 days back: more than ACTIVITY_BACKDATE_DAYS (7).
      const old = await rejection(li.client.logCollectionActivity({ input: { ...uploads[2], idempotencyKey: 'phone-li-0004' } }));
      expect(old).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.occurredAt', reason: 'ACTIVITY_TOO_OLD' });
    } finally {
      await server.restart({ CLOCK_DATE: FRI });
    }
  });

  test('reportPaymentNotice is logged as a CLAIMS_PAID activity and still holds the alarm', async () => {
    await wang.client.reportPaymentNotice({ input: { receivableId: rB, claimedPaidOn: THU, note: 'Customer sent the slip' } });
    const { activities } = await wang.client.activities({ customerId: customerB });
    expect(activities.nodes).toEqual([
      expect.objectContaining({
        kind: null,
        outcome: 'CLAIMS_PAID',
        note: 'Customer sent the slip',
        occurredOn: FRI,
        receivables: [{ id: rB, reference: 'RB' }],
      }),
    ]);
    const { receivable } = await wang.client.receivable({ id: rB });
    expect(receivable?.overdueStage).toBeNull();
  });
});

describe('SALES isolation', () => {
  test("another salesperson's customers, activities, promises and events are out of sight", async () => {
    expect((await wang.client.activities({})).activities.nodes.every((a) => a.customer.id === customerB)).toBe(true);
    expect((await wang.client.activities({ customerId: customerA })).activities.totalCount).toBe(0);
    expect((await wang.client.promises({})).promises.totalCount).toBe(0);
    expect((await wang.client.promises({ customerId: customerA })).promises.totalCount).toBe(0);
    const wangsEvents = await eventsSeenBy(wang);
    expect(wangsEvents.some((e) => / R[12]\b| PROMISE_/.test(e))).toBe(false);

    await expectApiError(
      wang.client.logCollectionActivity({ input: { customerId: customerA, kind: 'CALL', outcome: 'REACHED', occurredAt: SUNDAY_AFTERNOON } }),
      'NOT_FOUND',
    );
    await expectApiError(wang.client.recordPromiseToPay({ customerId: customerA, receivableIds: [r2], amount: '1.00', promisedOn: FRI }), 'NOT_FOUND');
    // Li's receivable under Wang's own customer: not disclosed either.
    await expectApiError(wang.client.recordPromiseToPay({ customerId: customerB, receivableIds: [r2], amount: '1.00', promisedOn: FRI }), 'NOT_FOUND');
    await expectApiError(
      wang.client.logCollectionActivity({
        input: { customerId: customerB, receivableIds: [r1], kind: 'CALL', outcome: 'REACHED', occurredAt: SUNDAY_AFTERNOON },
      }),
      'NOT_FOUND',
    );
  });

  test('finance and managers log for any customer; integrations and project leads may not read the log', async () => {
    const manager = await server.createUser('MANAGER');
    const { logCollectionActivity } = await manager.client.logCollectionActivity({
      input: { customerId: customerB, kind: 'EMAIL', outcome: 'REACHED', occurredAt: SUNDAY_AFTERNOON },
    });
    expect(logCollectionActivity.recordedBy.id).toBe(manager.id);
    expect((await finance.client.activities({ customerId: customerA })).activities.totalCount).toBe(3);
    const lead = await server.createUser('PROJECT_LEAD');
    await expectApiError(lead.client.activities({}), 'FORBIDDEN');
    await expectApiError(lead.client.promises({}), 'FORBIDDEN');
    const token = (await server.admin.createApiToken({ name: 'ERP' })).createApiToken.token;
    const integration = server.client(token);
    await expectApiError(integration.activities({}), 'FORBIDDEN');
    await expectApiError(integration.recordPromiseToPay({ customerId: customerB, receivableIds: [rB], amount: '1.00', promisedOn: FRI }), 'FORBIDDEN');
    // The integrator receives the promise events in the stream, with the promise.
    const { overdueEvents } = await integration.overdueEvents({ first: 200, filter: { types: ['PROMISE_MADE'] } });
    expect(overdueEvents.edges.map(({ node }) => node.promise?.amount)).toEqual(['1000.00', '600.00']);
  });
});

describe('bad input changes nothing', () => {
  const tables = ['collection_activity', 'promise_to_pay', 'overdue_event'];
  let before: number[];
  beforeEach(async () => {
    before = await Promise.all(tables.map(count));
  });
  afterEach(async () => {
    expect(await Promise.all(tables.map(count))).toEqual(before);
  });

  const base = () => ({ customerId: customerB, receivableIds: [rB], kind: 'CALL' as const, outcome: 'REACHED' as const, occurredAt: SUNDAY_AFTERNOON });

  test.each([
    ['a future occurredAt', { occurredAt: '2026-12-12T07:00:00.000Z' }, 'input.occurredAt', 'DATE_IN_FUTURE'],
    ['occurredAt 8 days back', { occurredAt: '2026-12-03T04:00:00.000Z' }, 'input.occurredAt', 'ACTIVITY_TOO_OLD'],
    ['a next action before the call', { nextActionOn: '2026-12-05' }, 'input.nextActionOn', 'NEXT_ACTION_BEFORE_ACTIVITY'],
    ['PROMISED without the promise', { outcome: 'PROMISED' }, 'input.promise', 'OUTCOME_DETAILS_MISMATCH'],
    [
      'a promise above the outstanding',
      { outcome: 'PROMISED', promise: { amount: '300.01', promisedOn: FRI } },
      'input.promise.amount',
      'PROMISE_ABOVE_OUTSTANDING',
    ],
    // Before the call itself (Sunday 12-06); a date between the call and today is accepted (see below).
    [
      'a promise date in the past',
      { outcome: 'PROMISED', promise: { amount: '300.00', promisedOn: '2026-12-05' } },
      'input.promise.promisedOn',
      'PROMISE_DATE_IN_PAST',
    ],
    [
      'a dispute above the outstanding',
      // The receivable is filled in when the test runs (the table is built before the data).
      { outcome: 'DISPUTED', dispute: { receivableId: 'RB', amount: '300.01', category: 'PRICE', reason: 'wrong price' } },
      'input.dispute.amount',
      'DISPUTE_EXCEEDS_OUTSTANDING',
    ],
    [
      'a dispute of an unknown category',
      { outcome: 'DISPUTED', dispute: { receivableId: 'RB', amount: '10.00', category: 'COLOUR', reason: 'wrong colour' } },
      'input.dispute.category',
      'OUT_OF_RANGE',
    ],
  ])('logCollectionActivity with %s: BAD_USER_INPUT', async (_what, change, field, reason) => {
    const input = { ...base(), ...change };
    if ('dispute' in input) input.dispute = { ...input.dispute, receivableId: rB };
    const error = await rejection(wang.client.logCollectionActivity({ input: input as never }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field, reason });
  });

  test('recordPromiseToPay: above the outstanding, in the past', async () => {
    const above = await rejection(wang.client.recordPromiseToPay({ customerId: customerB, receivableIds: [rB], amount: '300.01', promisedOn: FRI }));
    expect(above).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount', reason: 'PROMISE_ABOVE_OUTSTANDING' });
    const past = await rejection(wang.client.recordPromiseToPay({ customerId: customerB, receivableIds: [rB], amount: '300.00', promisedOn: THU }));
    expect(past).toMatchObject({ code: 'BAD_USER_INPUT', field: 'promisedOn', reason: 'PROMISE_DATE_IN_PAST' });
  });

  test('an idempotency key used again for other content: CONFLICT', async () => {
    const error = await rejection(li.client.logCollectionActivity({ input: { ...uploadsOfLi(), note: 'something else' } }));
    expect(error).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey', reason: 'IDEMPOTENCY_KEY_REUSED' });
  });
});

/** Li's third upload of Monday, as the phone sent it. */
function uploadsOfLi() {
  return {
    idempotencyKey: 'phone-li-0003',
    customerId: customerA,
    kind: 'CALL' as const,
    outcome: 'NO_ANSWER' as const,
    occurredAt: '2026-12-06T09:00:00.000Z',
  };
}

describe('a call uploaded days later', () => {
  test('its promise for a date that has passed since is recorded and judged at the next scan', async () => {
    // Friday: Wang's phone uploads Sunday's call, a promise for Tuesday 12-08 (deadline Wed 12-09).
    const { logCollectionActivity } = await wang.client.logCollectionActivity({
      input: {
        customerId: customerB,
        receivableIds: [rB],
        kind: 'CALL',
        outcome: 'PROMISED',
        occurredAt: SUNDAY_AFTERNOON,
        idempotencyKey: 'phone-wang-0001',
        promise: { amount: '300.00', promisedOn: TUE },
      },
    });
    expect(logCollectionActivity.promise).toMatchObject({ state: 'OPEN', madeOn: '2026-12-06', dueOn: TUE, deadlineOn: WED });
    await make.overdueScan(FRI);
    const { promises } = await wang.client.promises({ customerId: customerB });
    expect(promises.nodes).toEqual([expect.objectContaining({ state: 'BROKEN', brokenOn: FRI })]);
  });
});

describe('a promise partly kept', () => {
  test('PARTIAL after its deadline with some money; money of the due date booked late makes it KEPT; voiding that money makes it PARTIAL again', async () => {
    // Fri 12-11: R3 of 500.00 (due 11-20) is promised for Mon 12-14: due 12-14, deadline Tue 12-15.
    const r3 = (await make.receivable(customerA, { reference: 'R3', amount: '500.00', issuedOn: '2026-10-21', dueOn: '2026-11-20' })).id;
    const { recordPromiseToPay: promise } = await li.client.recordPromiseToPay({
      customerId: customerA,
      receivableIds: [r3],
      amount: '500.00',
      promisedOn: '2026-12-14',
    });
    expect(promise).toMatchObject({ state: 'OPEN', madeOn: FRI, dueOn: '2026-12-14', deadlineOn: '2026-12-15' });

    // Wed 12-16: 200.00 that arrived on the due date is booked; the scan of 12-16 is past the deadline.
    await server.restart({ CLOCK_DATE: '2026-12-16' });
    await make.as(finance.client).payment(customerA, { amount: '200.00', receivedOn: '2026-12-14', allocations: [{ receivableId: r3, amount: '200.00' }] });
    await make.overdueScan('2026-12-16');
    const partial = (await li.client.promises({ customerId: customerA, states: ['PARTIAL'] })).promises.nodes;
    expect(partial).toEqual([expect.objectContaining({ id: promise.id, paidAmount: '200.00', brokenOn: '2026-12-16' })]);

    // 300.00 that arrived on Friday 12-11 (after the promise was made, before it was due) is booked late.
    const late = await make.as(finance.client).payment(customerA, { amount: '300.00', receivedOn: FRI, allocations: [{ receivableId: r3, amount: '300.00' }] });
    const kept = (await li.client.promises({ customerId: customerA, states: ['KEPT'] })).promises.nodes.find((p) => p.id === promise.id);
    expect(kept).toMatchObject({ paidAmount: '500.00', keptOn: '2026-12-16', brokenOn: '2026-12-16' });

    // KEPT is not final: voiding the money that kept it, after the deadline, makes it PARTIAL again at once (200.00 of 500.00).
    await finance.client.voidPayment({ id: late.id, reason: 'bounced' });
    const again = (await li.client.promises({ customerId: customerA, states: ['PARTIAL'] })).promises.nodes.find((p) => p.id === promise.id);
    expect(again).toMatchObject({ paidAmount: '200.00', keptOn: null, brokenOn: '2026-12-16' });
    await make.overdueScan('2026-12-16');

    const types = ['PROMISE_MADE', 'PROMISE_KEPT', 'PROMISE_BROKEN', 'PROMISE_REOPENED'] as const;
    const { overdueEvents } = await li.client.overdueEvents({ first: 200, filter: { types: [...types] } });
    const mine = overdueEvents.edges.map(({ node }) => node).filter((e) => e.promise?.id === promise.id);
    expect(mine.map((e) => [e.asOf, e.type, e.state, e.previousState, e.amount])).toEqual([
      [FRI, 'PROMISE_MADE', 'OPEN', null, '500.00'],
      ['2026-12-16', 'PROMISE_BROKEN', 'PARTIAL', 'OPEN', '500.00'],
      ['2026-12-16', 'PROMISE_KEPT', 'KEPT', 'PARTIAL', '500.00'],
      ['2026-12-16', 'PROMISE_BROKEN', 'PARTIAL', 'KEPT', '500.00'],
    ]);
  });
});
