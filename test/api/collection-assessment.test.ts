/**
 * Issue 10's "done when", tried as a new user would with the SDK, and the assessment
 * metrics against hand calculations (docs/metrics.md): a salesperson opens the worklist,
 * logs three calls offline (uploaded twice), records a promise and a dispute; Friday's
 * scan keeps one promise, breaks one, finds one partly kept; a late booking of on-time
 * money corrects the broken one; the manager sees promise kept rate, contact coverage and
 * the disputed share on the scorecard and in collectionStats; an integrator receives every
 * new event type, each once, in order.
 *
 * Asia/Shanghai, no holidays, CONTACT_SLA_WORKING_DAYS 2, PROMISE_GRACE_WORKING_DAYS 1.
 * Li's customers (receivables issued 2026-11-01):
 *   K1 R1 1000.00 due Thu 12-03: falls overdue Fri 12-04; SLA ends Tue 12-08 (Mon, Tue).
 *      Sunday 12-06 call: PROMISED 1000.00 by Tue 12-08. 1000.00 arrives Tue 12-08 (booked Fri).
 *   K2 R2  500.00 due Fri 12-04: falls overdue Sat 12-05; SLA ends Tue 12-08. Never contacted.
 *      recordPromiseToPay Mon: 500.00 by Wed 12-09 (deadline Thu 12-10). Nothing by Friday's
 *      scan: BROKEN; then 500.00 booked Friday with receivedOn Wed 12-09: KEPT.
 *   K3 R3  800.00 due Thu 12-03, paid Thu 12-03: never overdue.
 *   K4 R4  300.00 due Mon 12-07: falls overdue Tue 12-08; SLA ends Thu 12-10 (Wed, Thu).
 *      Sunday call: PROMISED 300.00 by Wed 12-09 (before falling overdue: not SLA contact);
 *      reached Thu 12-10 (SLA contact). 100.00 arrives Wed 12-09: PARTIAL.
 *   K6 R6  400.00 due Thu 12-10, disputed in full on Monday: falls overdue Fri 12-11, SLA
 *      ends Tue 12-15, not contacted yet: pending, left out of coverage.
 * Wang's customer K5 R5 200.00 due Thu 12-03: falls overdue Fri 12-04, never contacted.
 */
import { factories, type Factories } from '../helpers/factories';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server';

const MON = '2026-12-07';
const FRI = '2026-12-11';
const SUNDAY = (hour: number) => `2026-12-06T${String(hour - 8).padStart(2, '0')}:00:00.000Z`; // Shanghai hour on Sunday

let server: TestServer;
let make: Factories;
let li: TestUser;
let wang: TestUser;
let finance: TestUser;
let manager: TestUser;
const k: Record<string, string> = {};
const r: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: MON });
  // The schedule stores last week's analysis when the server starts, in the background:
  // wait for it, as a Monday morning would, before anything is logged.
  for (const deadline = Date.now() + 60_000; !(await server.admin.weeklyAnalysis({ weekOf: '2026-11-30' })).weeklyAnalysis;) {
    if (Date.now() > deadline)
      throw new Error(`the schedule did not store the weekly analysis of 11-30 within 60 s; server log:\n${server.logs().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  make = factories(server, { today: MON });
  li = await server.createUser('SALES', 'Li Na');
  wang = await server.createUser('SALES', 'Wang Wei');
  finance = await server.createUser('FINANCE', 'Chen Jing');
  manager = await server.createUser('MANAGER', 'Zhao Min');
  const add = async (name: string, ownerId: string, amount: string, dueOn: string) => {
    k[name] = (await make.customer({ ownerId, name, code: `AS-${name}` })).id;
    r[name] = (await make.receivable(k[name], { reference: `INV-${name}`, amount, issuedOn: '2026-11-01', dueOn })).id;
  };
  await add('K1', li.id, '1000.00', '2026-12-03');
  await add('K2', li.id, '500.00', '2026-12-04');
  await add('K3', li.id, '800.00', '2026-12-03');
  await add('K4', li.id, '300.00', '2026-12-07');
  await add('K6', li.id, '400.00', '2026-12-10');
  await add('K5', wang.id, '200.00', '2026-12-03');
  await make.as(finance.client).payment(k.K3, { amount: '800.00', receivedOn: '2026-12-03', allocations: [{ receivableId: r.K3, amount: '800.00' }] });
  await make.overdueScan(MON);
}, 120_000);
afterAll(() => server?.close());

describe('Monday: the salesperson opens the worklist and works it', () => {
  test('the worklist: K1 and K2 overdue, K4 and K6 due within the lookahead', async () => {
    // K1 4 days (stage 1): 1000 + 1 + 20 × 4 = 1081; K2 3 days: 1000 + 0 + 20 × 3 = 1060; K4, K6 due soon: 0.
    const { collectionWorklist } = await li.client.collectionWorklist({});
    expect(collectionWorklist.edges.map((e) => `${e.node.customerName} ${e.node.priority}`)).toEqual(['K1 1081', 'K2 1060', 'K4 0', 'K6 0']);
  });

  test('three calls logged offline, uploaded twice: three activities, two promises; a promise and a dispute recorded', async () => {
    const calls = [
      {
        customerId: k.K1,
        receivableIds: [r.K1],
        kind: 'CALL' as const,
        outcome: 'PROMISED' as const,
        occurredAt: SUNDAY(15),
        promise: { amount: '1000.00', promisedOn: '2026-12-08' },
        idempotencyKey: 'li-phone-1',
      },
      { customerId: k.K4, kind: 'CALL' as const, outcome: 'NO_ANSWER' as const, occurredAt: SUNDAY(16), idempotencyKey: 'li-phone-2' },
      {
        customerId: k.K4,
        receivableIds: [r.K4],
        kind: 'CALL' as const,
        outcome: 'PROMISED' as const,
        occurredAt: SUNDAY(17),
        promise: { amount: '300.00', promisedOn: '2026-12-09' },
        idempotencyKey: 'li-phone-3',
      },
    ];
    const first = [];
    for (const input of calls) first.push((await li.client.logCollectionActivity({ input })).logCollectionActivity.id);
    // The connection dropped before the answers came: the phone sends its queue again.
    const again = [];
    for (const input of calls) again.push((await li.client.logCollectionActivity({ input })).logCollectionActivity.id);
    expect(again).toEqual(first);
    await li.client.recordPromiseToPay({ customerId: k.K2, receivableIds: [r.K2], amount: '500.00', promisedOn: '2026-12-09' });
    await li.client.openDispute({ input: { receivableId: r.K6, amount: '400.00', category: 'DELIVERY', reason: 'Goods not delivered' } });
    const [{ activities, promises }] = await server.sql<{ activities: number; promises: number }>(
      'select (select count(*) from collection_activity)::int as activities, (select count(*) from promise_to_pay)::int as promises',
    );
    expect({ activities, promises }).toEqual({ activities: 3, promises: 3 });

    // K6's money is disputed in full: out of the chase. Open promises not yet due push down by 1500:
    // K2 1060 − 1500 = −440; K1 1000 + 1 + 20 × 1 (Sunday) − 1500 = −479; K4 (due today) 0 − 1500.
    const { collectionWorklist } = await li.client.collectionWorklist({});
    expect(collectionWorklist.edges.map((e) => `${e.node.customerName} ${e.node.priority}`)).toEqual(['K2 -440', 'K1 -479', 'K4 -1500']);
  });
});

describe('Friday: scans keep, break and correct promises; the figures', () => {
  beforeAll(async () => {
    await server.restart({ CLOCK_DATE: FRI });
    make = factories(server, { today: FRI });
    const pay = make.as(finance.client);
    await pay.payment(k.K1, { amount: '1000.00', receivedOn: '2026-12-08', allocations: [{ receivableId: r.K1, amount: '1000.00' }] });
    await pay.payment(k.K4, { amount: '100.00', receivedOn: '2026-12-09', allocations: [{ receivableId: r.K4, amount: '100.00' }] });
    await li.client.logCollectionActivity({
      input: { customerId: k.K4, kind: 'VISIT', outcome: 'REACHED', occurredAt: '2026-12-10T02:00:00.000Z', idempotencyKey: 'li-phone-4' },
    });
    await make.overdueScan(FRI);
  });

  test('the promises as the scan judged them', async () => {
    const { promises } = await manager.client.promises({});
    const byCustomer = Object.fromEntries(promises.nodes.map((p) => [p.customer.code, `${p.state} ${p.paidAmount}`]));
    expect(byCustomer).toEqual({ 'AS-K1': 'KEPT 1000.00', 'AS-K2': 'BROKEN 0.00', 'AS-K4': 'PARTIAL 100.00' });
  });

  test("Li's collectionStats for 12-01 … 12-11, by hand", async () => {
    const { collectionStats } = await li.client.collectionStats({ from: '2026-12-01', to: FRI });
    expect(collectionStats).toMatchObject({
      // P1 1000.00 KEPT + P2 500.00 BROKEN + P3 300.00 PARTIAL (100.00): (1000 + 0 + 100) / 1800
      promised: '1800.00',
      promisedKept: '1100.00',
      promiseKeptRate: 0.611111111,
      // K1 (Sunday call), K2 (none), K4 (Thursday visit); K6 pending: 2 / 3
      customersFellOverdue: 3,
      customersContactedInTime: 2,
      contactCoverage: 0.666666666,
      // Outstanding on 12-11: R2 500 + R4 200 + R6 400 = 1100; R6 disputed: 400 / 1100
      closingOutstanding: '1100.00',
      disputed: '400.00',
      disputedShare: 0.363636363,
    });
    const { collectionStats: company } = await manager.client.collectionStats({ from: '2026-12-01', to: FRI });
    // Wang's K5 fell overdue on 12-04 and was never contacted: 2 / 4.
    expect(company).toMatchObject({ customersFellOverdue: 4, customersContactedInTime: 2, contactCoverage: 0.5, promiseKeptRate: 0.611111111 });
  });

  test('the weekly analysis of 11-30 … 12-06, stored on Monday before the calls were uploaded: every customer was still pending', async () => {
    // Stored by the schedule when the server started on Monday 12-07 (and never changed): K1 and
    // Wang's K5 fell overdue on 12-04, K2 on 12-05; their SLA ends Tue 12-08, after the week, and
    // nobody had been contacted yet: all pending, left out of both counts. No promise was due.
    const { weeklyAnalysis } = await manager.client.weeklyAnalysis({ weekOf: '2026-11-30' });
    expect(weeklyAnalysis?.trigger).toBe('SCHEDULE');
    expect(weeklyAnalysis?.collections).toMatchObject({
      customersFellOverdue: 0,
      customersContactedInTime: 0,
      contactCoverage: null,
      promised: '0.00',
      promiseKeptRate: null,
    });
    // Live, the same week now counts K1 (called Sunday 12-06, within its SLA); the others are still pending.
    const { collectionStats } = await manager.client.collectionStats({ from: '2026-11-30', to: '2026-12-06' });
    expect(collectionStats).toMatchObject({ customersFellOverdue: 1, customersContactedInTime: 1, contactCoverage: 1 });
  });

  test('a late booking of on-time money corrects the broken promise; the manager sees it on the scorecard', async () => {
    await make.as(finance.client).payment(k.K2, { amount: '500.00', receivedOn: '2026-12-09', allocations: [{ receivableId: r.K2, amount: '500.00' }] });
    const { disputes } = await manager.client.disputes({ filter: { receivableId: r.K6 } });
    await manager.client.resolveDispute({ id: disputes.edges[0].node.id, outcome: 'INVALID', note: 'Delivery note signed' });

    for (const [metric, target] of [
      ['CONTACT_COVERAGE', '0.8'],
      ['PROMISE_KEPT_RATE', '0.9'],
      ['DISPUTED_SHARE', '0.1'],
    ] as const) {
      const { createGoal } = await manager.client.createGoal({
        input: { metric, target, period: 'MONTH', periodStart: '2026-12-01', scope: 'EVERY_SALESPERSON' },
      });
      expect(createGoal).toMatchObject({ metric, direction: metric === 'DISPUTED_SHARE' ? 'AT_MOST' : 'AT_LEAST' });
    }
    const { scorecards } = await manager.client.scorecards({ from: '2026-12-01', to: FRI });
    const liCard = scorecards.find((c) => c.salesperson.id === li.id)!;
    // Kept: (1000 + 500 + 100) / 1800; outstanding R4 200 + R6 400, nothing disputed after the INVALID resolution.
    expect(liCard.stats).toMatchObject({ promiseKeptRate: 0.888888888, contactCoverage: 0.666666666, disputedShare: 0, promisedKept: '1600.00' });
    const actual = Object.fromEntries(liCard.goals.map((g) => [g.goal.metric, g.actual]));
    expect(actual).toEqual({ CONTACT_COVERAGE: '0.666667', PROMISE_KEPT_RATE: '0.888889', DISPUTED_SHARE: '0.000000' });
    const wangCard = scorecards.find((c) => c.salesperson.id === wang.id)!;
    expect(wangCard.stats).toMatchObject({ customersFellOverdue: 1, customersContactedInTime: 0, contactCoverage: 0, promiseKeptRate: null });
    // A salesperson sees only their own card.
    const { scorecards: own } = await li.client.scorecards({ from: '2026-12-01', to: FRI });
    expect(own.map((c) => c.salesperson.id)).toEqual([li.id]);
  });

  test('an integrator receives every new event type, each event once, in order', async () => {
    // The manager stops shipping to K2 until the end of the year: an order system hears it on the stream.
    await manager.client.overrideCreditStatus({ customerId: k.K2, status: 'HOLD', reason: 'Broke a promise this week', until: '2026-12-31' });
    const { createApiToken } = await server.admin.createApiToken({ name: 'ERP connector' });
    const erp = server.client(createApiToken.token);
    const types = ['PROMISE_MADE', 'PROMISE_KEPT', 'PROMISE_BROKEN', 'DISPUTE_OPENED', 'DISPUTE_RESOLVED', 'CREDIT_STATUS_CHANGED'] as const;
    const { overdueEvents } = await erp.overdueEvents({ first: 200, filter: { types: [...types] } });
    const events = overdueEvents.edges.map((e) => e.node);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(types));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    // K2's promise: made, broken by Friday's scan, kept after the late booking — in that order.
    const k2 = events.filter((e) => e.customer.code === 'AS-K2' && e.type.startsWith('PROMISE_')).map((e) => e.type);
    expect(k2).toEqual(['PROMISE_MADE', 'PROMISE_BROKEN', 'PROMISE_KEPT']);
    const k6 = events.filter((e) => e.customer.code === 'AS-K6').map((e) => e.type);
    expect(k6).toEqual(['DISPUTE_OPENED', 'DISPUTE_RESOLVED']);
    expect(events[events.length - 1]).toMatchObject({ type: 'CREDIT_STATUS_CHANGED', customer: { code: 'AS-K2' } });
  });
});
