/**
 * One definition of "overdue", black-box: the four cases where the overdue engine and the
 * aging report used to disagree, on a server whose today is Sunday 29 November 2026.
 *
 * The ledger of one customer (every amount 100.00 unless said):
 *
 *  ref  issued / due        what happened
 *  R1   2026-01-05          100.00 arrived 2026-02-20 (booked today)
 *  R2   2026-01-05          unpaid
 *  R3   2026-01-05          unpaid, written off today
 *  R4   2026-03-02          30.00 that arrived 2026-01-20 (before R4 existed) applied to it
 *  R5   2026-01-05          unpaid, a payment notice reported today
 *
 * Positions as of 2026-02-01: R1, R2, R3, R5 100.00 each, 4 overdue (27 days); R4 none
 * (not issued). As of 2026-03-03: R1 0 (paid 02-20), R2, R3, R5 100.00 (57 days), R4
 * 70.00 (1 day: the 30.00 counts from the issue date, not from its arrival). As of today:
 * R2 100.00, R4 70.00, R5 100.00 overdue (R3 written off, R1 paid) = 270.00.
 */
import type { Client } from '../../sdk/index.js';
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF } from '../helpers/overdue-events';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server';

const TODAY = '2026-11-29';

let server: TestServer;
let finance: TestUser;
let sales: TestUser;
let make: Factories;

beforeAll(async () => {
  server = await startTestServer({ ...CREDIT_RULES_OFF, CLOCK_DATE: TODAY });
  finance = await server.createUser('FINANCE');
  sales = await server.createUser('SALES');
  make = factories(server, { as: finance.client, today: TODAY, ownerId: sales.id });
});
afterAll(() => server?.close());

async function eventsOf(client: Client, customerId: string) {
  const { overdueEvents } = await client.overdueEvents({ first: 100, filter: { customerId } });
  return overdueEvents.edges.map(({ node }) => `${node.asOf} ${node.type} ${node.receivable?.reference} ${node.outstanding}`);
}

/** Events of one scan come in the order of effective due dates, then ids: compare them sorted. */
const sorted = (items: string[]) => [...items].sort();

async function agingOverdue(asOf: string) {
  const { agingReport } = await finance.client.agingReport({ asOf, salespersonId: sales.id });
  return { count: agingReport.overdueCount, d1to30: agingReport.d1to30, d31to60: agingReport.d31to60, over90: agingReport.over90 };
}

describe('the engine judges what the aging report counts', () => {
  let customerId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    customerId = (await make.customer({ code: 'ONE-TRUTH' })).id;
    for (const reference of ['R1', 'R2', 'R3', 'R5']) {
      ids[reference] = (await make.receivable(customerId, { reference, issuedOn: '2026-01-05', dueOn: '2026-01-05' })).id;
    }
    ids.R4 = (await make.receivable(customerId, { reference: 'R4', issuedOn: '2026-03-02', dueOn: '2026-03-02' })).id;
    await make.payment(customerId, { receivedOn: '2026-02-20', lagReason: 'statement came late', allocations: [{ receivableId: ids.R1, amount: '100.00' }] });
    await make.payment(customerId, {
      amount: '30.00',
      receivedOn: '2026-01-20',
      lagReason: 'credit on account',
      allocations: [{ receivableId: ids.R4, amount: '30.00' }],
    });
    await finance.client.writeOffReceivable({ id: ids.R3, reason: 'customer insolvent' });
    await sales.client.reportPaymentNotice({ input: { receivableId: ids.R5, claimedPaidOn: '2026-11-27', note: 'customer says it was wired' } });
  });

  test('case 1: a scan of a past date raises what was overdue then, also receivables paid or written off since', async () => {
    expect(await agingOverdue('2026-02-01')).toEqual({ count: 4, d1to30: '400.00', d31to60: '0.00', over90: '0.00' });
    const { runOverdueScan } = await finance.client.runOverdueScan({ asOf: '2026-02-01', judgedFirst: 10 });
    expect(runOverdueScan).toMatchObject({ asOf: '2026-02-01', previousScanOn: null, becameOverdue: 4, escalated: 0, cleared: 0 });
    // The R5 notice was reported today: it held nothing on 1 February.
    expect(sorted(await eventsOf(finance.client, customerId))).toEqual([
      '2026-02-01 BECAME_OVERDUE R1 100.00',
      '2026-02-01 BECAME_OVERDUE R2 100.00',
      '2026-02-01 BECAME_OVERDUE R3 100.00',
      '2026-02-01 BECAME_OVERDUE R5 100.00',
    ]);
    // Every receivable was new to the engine, so each was judged; R4, not issued yet, raised nothing.
    const judged = runOverdueScan.judgedReceivables.edges.map((e) => e.node.reference).filter((r) => /^R\d$/.test(r));
    expect(judged.sort()).toEqual(['R1', 'R2', 'R3', 'R4', 'R5']);
    // Days overdue count to the date the stage holds for, not to today.
    const { receivable } = await finance.client.receivable({ id: ids.R2 });
    expect(receivable).toMatchObject({ overdueStage: 1, daysOverdue: 27 });
  });

  test('case 3: every event reports the position, and credit counts from the issue date', async () => {
    await finance.client.runOverdueScan({ asOf: '2026-03-03' });
    const events = (await eventsOf(finance.client, customerId)).slice(4);
    // R4 comes last: its effective due date is the latest.
    expect(events[4]).toBe('2026-03-03 BECAME_OVERDUE R4 70.00');
    expect(sorted(events)).toEqual([
      '2026-03-03 BECAME_OVERDUE R4 70.00',
      '2026-03-03 CLEARED R1 0.00',
      '2026-03-03 STAGE_ESCALATED R2 100.00',
      '2026-03-03 STAGE_ESCALATED R3 100.00',
      '2026-03-03 STAGE_ESCALATED R5 100.00',
    ]);
    expect(await agingOverdue('2026-03-03')).toEqual({ count: 4, d1to30: '70.00', d31to60: '300.00', over90: '0.00' });
  });

  test('case 2: a scan of an earlier date is refused and changes nothing of today’s state', async () => {
    const { runOverdueScan } = await finance.client.runOverdueScan({});
    // R3 was written off today, R5 is held by today's notice: both cleared; R2 and R4 reach their stages.
    expect(runOverdueScan).toMatchObject({ asOf: TODAY, previousScanOn: '2026-03-03', cleared: 2, escalated: 2 });
    const before = await eventsOf(finance.client, customerId);
    const { customer: balancesBefore } = await finance.client.customer({ id: customerId });

    await expect(finance.client.runOverdueScan({ asOf: '2026-02-01' })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'SCAN_DATE_BEFORE_LAST_SCAN',
      field: 'asOf',
      message: expect.stringContaining('2026-11-29'),
    });
    expect(await eventsOf(finance.client, customerId)).toEqual(before);
    const { customer: balancesAfter } = await finance.client.customer({ id: customerId });
    expect(balancesAfter).toEqual(balancesBefore);
    // And no false CLEARED / BECAME_OVERDUE pair on the next scan.
    expect((await finance.client.runOverdueScan({})).runOverdueScan).toMatchObject({ becameOverdue: 0, escalated: 0, cleared: 0 });
    expect(await eventsOf(finance.client, customerId)).toEqual(before);
  });

  test('case 4: overdueAmount is money (what the aging report counts, notices included); alarmedAmount is the alarms', async () => {
    const { customer } = await finance.client.customer({ id: customerId });
    expect(customer).toMatchObject({ outstanding: '270.00', overdueAmount: '270.00', alarmedAmount: '170.00' });
    const aging = await agingOverdue(TODAY);
    expect(aging.count).toBe(3);
    const { receivables } = await finance.client.receivables({ first: 10, filter: { customerId, overdue: true } });
    expect(sorted(receivables.edges.map((e) => e.node.reference))).toEqual(['R2', 'R4', 'R5']);
    const { receivables: alarmed } = await finance.client.receivables({ first: 10, filter: { customerId, alarmed: true } });
    expect(alarmed.edges.map((e) => e.node.reference)).toEqual(['R2', 'R4']);
    const { customers } = await sales.client.customers({ first: 10, filter: { hasOverdue: true } });
    expect(customers.edges.map((e) => e.node.code)).toContain('ONE-TRUTH');
  });
});

describe('a customer whose only overdue receivable is held by a notice', () => {
  test('has overdue money but no alarm, and the hasOverdue filter finds it', async () => {
    const { customer, receivable } = await make.customerWithReceivable({ issuedOn: '2026-10-01', dueOn: '2026-11-02', amount: '80.00' }, { code: 'HELD-ONLY' });
    await sales.client.reportPaymentNotice({ input: { receivableId: receivable.id, claimedPaidOn: '2026-11-27', note: 'cheque in the post' } });
    await finance.client.runOverdueScan({});
    const { customer: read } = await finance.client.customer({ id: customer.id });
    expect(read).toMatchObject({ overdueAmount: '80.00', alarmedAmount: '0.00' });
    const { customers } = await finance.client.customers({ first: 50, filter: { ownerId: sales.id, hasOverdue: true } });
    expect(customers.edges.map((e) => e.node.code)).toContain('HELD-ONLY');
  });
});

describe('incremental scans on a timeline of their own', () => {
  let own: TestServer;
  let clerk: TestUser;
  const ids: Record<string, string> = {};
  let customerId: string;
  let firstScanId: string;

  beforeAll(async () => {
    own = await startTestServer({ ...CREDIT_RULES_OFF, CLOCK_DATE: TODAY });
    clerk = await own.createUser('FINANCE');
    const owner = await own.createUser('SALES');
    const ownMake = factories(own, { as: clerk.client, today: TODAY, ownerId: owner.id });
    customerId = (await ownMake.customer({ code: 'TIMELINE' })).id;
    for (const [reference, issuedOn, dueOn] of [
      ['A', '2026-10-02', '2026-11-02'],
      ['B', '2026-10-10', '2026-11-10'],
      ['C', '2026-10-20', '2026-11-20'],
      ['D', '2026-11-01', '2026-12-15'],
      ['E', '2026-10-28', '2026-11-27'],
    ]) {
      ids[reference] = (await ownMake.receivable(customerId, { reference, issuedOn, dueOn })).id;
    }
  });
  afterAll(() => own?.close());

  const scan = async (asOf: string, judgedFirst = 10, judgedAfter?: string) =>
    (await clerk.client.runOverdueScan({ asOf, judgedFirst, judgedAfter })).runOverdueScan;

  test('a scan judges what is new, then only what its date has reached; after downtime it says what it judged late', async () => {
    const first = await scan('2026-11-05');
    expect(first).toMatchObject({ previousScanOn: null, missedDays: 0, judged: 5, judgedChanged: 5, judgedLate: 0, becameOverdue: 1 });
    firstScanId = first.id!;

    // Nobody scanned for 19 days: B's and C's first overdue days (11 and 21 November) passed unjudged.
    const late = await scan('2026-11-25');
    expect(late).toMatchObject({ previousScanOn: '2026-11-05', missedDays: 19, judged: 2, judgedLate: 2, judgedChanged: 0, becameOverdue: 2 });
    expect(late.judgedReceivables.totalCount).toBe(2);
    expect(late.judgedReceivables.edges.map((e) => [e.node.reference, e.node.overdueStage, e.node.daysOverdue])).toEqual([
      ['B', 1, 15],
      ['C', 1, 5],
    ]);

    // One page at a time.
    const firstPage = await scan('2026-11-25', 1);
    expect(firstPage.judged).toBe(0); // nothing left to judge on the same day
    const judgedAgain = await scan('2026-11-29', 1);
    expect(judgedAgain).toMatchObject({ previousScanOn: '2026-11-25', missedDays: 3, judged: 1, judgedLate: 1, becameOverdue: 1 });
    expect(judgedAgain.judgedReceivables.edges.map((e) => e.node.reference)).toEqual(['E']);
    expect(judgedAgain.judgedReceivables.pageInfo.hasNextPage).toBe(false);
  });

  test('a calendar change judges the receivables it moves at once, without waiting for a scan', async () => {
    // Friday 27 November declared a holiday: E is due Monday 30 November, not overdue on the 29th.
    await own.admin.setCalendarDay({ date: '2026-11-27', kind: 'HOLIDAY', name: 'declared late' });
    expect((await eventsOf(clerk.client, customerId)).filter((e) => e.includes(' E '))).toEqual([
      '2026-11-29 BECAME_OVERDUE E 100.00',
      '2026-11-29 CLEARED E 100.00',
    ]);
    expect((await clerk.client.receivable({ id: ids.E })).receivable).toMatchObject({ effectiveDueOn: '2026-11-30', overdueStage: null, daysOverdue: 0 });
    await own.admin.clearCalendarDay({ date: '2026-11-27' });
    expect((await eventsOf(clerk.client, customerId)).filter((e) => e.includes(' E ')).slice(2)).toEqual(['2026-11-29 BECAME_OVERDUE E 100.00']);
    // The next scan finds nothing left to do.
    expect(await scan('2026-11-29')).toMatchObject({ judged: 0, becameOverdue: 0, cleared: 0 });
  });

  test('a scan can be read again by its id, its judged list a page at a time; unknown ids and cursors are refused', async () => {
    const { overdueEvents } = await clerk.client.overdueEvents({ first: 100, filter: { customerId } });
    expect(overdueEvents.totalCount).toBeGreaterThan(0);
    const { runOverdueScan } = await clerk.client.runOverdueScan({});
    expect(runOverdueScan).toMatchObject({ id: null, judged: 0 }); // nothing judged: nothing kept

    // The first scan of this timeline judged all five.
    const id = firstScanId;
    const first = (await clerk.client.overdueScan({ id, judgedFirst: 2 })).overdueScan;
    expect(first).toMatchObject({ id, asOf: '2026-11-05', judged: 5, judgedChanged: 5, becameOverdue: 1 });
    const references = first.judgedReceivables.edges.map((e) => e.node.reference);
    let page = first.judgedReceivables;
    while (page.pageInfo.hasNextPage) {
      page = (await clerk.client.overdueScan({ id, judgedFirst: 2, judgedAfter: page.pageInfo.endCursor })).overdueScan.judgedReceivables;
      references.push(...page.edges.map((e) => e.node.reference));
    }
    // In the order of their effective due dates.
    expect(references).toEqual(['A', 'B', 'C', 'E', 'D']);
    // An empty page (the figures alone): no edges, and whether any remain after the cursor.
    const empty = (await clerk.client.overdueScan({ id, judgedFirst: 0 })).overdueScan.judgedReceivables;
    expect(empty).toMatchObject({ totalCount: 5, edges: [], pageInfo: { hasNextPage: true, endCursor: null } });
    const afterFour = (await clerk.client.overdueScan({ id, judgedFirst: 4 })).overdueScan.judgedReceivables.pageInfo.endCursor;
    const emptyAfterFour = (await clerk.client.overdueScan({ id, judgedFirst: 0, judgedAfter: afterFour })).overdueScan.judgedReceivables;
    expect(emptyAfterFour).toMatchObject({ edges: [], pageInfo: { hasNextPage: true, endCursor: afterFour } });
    const afterAll = (await clerk.client.overdueScan({ id, judgedFirst: 5 })).overdueScan.judgedReceivables.pageInfo.endCursor;
    const emptyAfterAll = (await clerk.client.overdueScan({ id, judgedFirst: 0, judgedAfter: afterAll })).overdueScan.judgedReceivables;
    expect(emptyAfterAll.pageInfo.hasNextPage).toBe(false);

    await expect(clerk.client.overdueScan({ id: '999999' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(clerk.client.overdueScan({ id: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(clerk.client.overdueScan({ id, judgedAfter: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_CURSOR' });
    const sales = await own.createUser('SALES');
    await expect(sales.client.overdueScan({ id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
