/**
 * The overdue engine, black-box: scans as of chosen dates move receivables through the
 * stages 1/30/60/90 by days past their effective due date, and every transition is one
 * event. The seed case runs on a server whose calendar date is fixed at 4 January 2027
 * (CLOCK_DATE), so the payment is really booked on the 4th; scans of later days run on
 * a second instance whose today is the 8th (no scan may judge a day after today).
 */
import { Client, createClient } from '../../sdk/index.js';
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF } from '../helpers/overdue-events';
import WebSocket from 'ws';
import { startTestServer, TestServer, TestUser } from '../helpers/server';

interface Fixture {
  server: TestServer;
  finance: TestUser;
  sales: TestUser;
  /** Customers of `sales` (1000.00 receivables unless told), made by `finance`. */
  make: Factories;
}

async function fixture(env: Record<string, string> = {}): Promise<Fixture> {
  const server = await startTestServer({ ...CREDIT_RULES_OFF, ...env });
  const finance = await server.createUser('FINANCE');
  const sales = await server.createUser('SALES');
  return {
    server,
    finance,
    sales,
    make: factories(server, { as: finance.client, today: env.CLOCK_DATE, ownerId: sales.id, defaults: { receivable: { amount: '1000.00' } } }),
  };
}

async function eventsOf(client: Client, customerId: string) {
  const { overdueEvents } = await client.overdueEvents({ first: 100, filter: { customerId } });
  return overdueEvents.edges.map(({ node }) => ({
    type: node.type,
    stage: node.stage,
    previousStage: node.previousStage,
    daysOverdue: node.daysOverdue,
    outstanding: node.outstanding,
    asOf: node.asOf,
  }));
}

async function stageOf(client: Client, id: string) {
  const { receivable } = await client.receivable({ id });
  return receivable!.overdueStage;
}

describe('the seed case: due 1 January (a holiday), money arrived 31 December, booked 4 January', () => {
  let f: Fixture;
  /** Finance on an instance whose today is Friday 8 January, for scans of the days after the 4th. */
  let later: Client;
  // Each test has a timeline of its own: the engine's date only moves forward.
  beforeEach(async () => {
    f = await fixture({ CLOCK_DATE: '2027-01-04' });
    await f.server.admin.setCalendarDay({ date: '2027-01-01', kind: 'HOLIDAY', name: "New Year's Day" });
    const instance = await f.server.startInstance({ CLOCK_DATE: '2027-01-08', WEEKLY_ANALYSIS_AT: 'off' });
    later = createClient({ url: instance.url, token: f.finance.token, webSocketImpl: WebSocket });
  });
  afterEach(() => f.server.close());

  test('the alarm raised before the booking is retracted, and a void raises it again', async () => {
    const {
      customer: { id: customerId },
      receivable,
    } = await f.make.customerWithReceivable({ issuedOn: '2026-12-01', dueOn: '2027-01-01' });
    expect(receivable.effectiveDueOn).toBe('2027-01-04'); // Fri 1 is a holiday, Sat/Sun off

    // On the 4th the receivable is due, not overdue; finance is still on holiday.
    expect((await f.finance.client.runOverdueScan({ asOf: '2027-01-04' })).runOverdueScan.becameOverdue).toBe(0);
    // A scan judging the 5th, before the booking arrives, raises the alarm.
    expect(await f.finance.client.runOverdueScan({ asOf: '2027-01-05' }).catch((e) => e.reason)).toBe('DATE_IN_FUTURE');
    const scan = await later.runOverdueScan({ asOf: '2027-01-05' });
    expect(scan.runOverdueScan).toMatchObject({ ran: true, becameOverdue: 1, asOf: '2027-01-05' });
    expect(await stageOf(f.finance.client, receivable.id)).toBe(1);

    const { recordPayment } = await f.finance.client.recordPayment({
      input: { customerId, amount: '1000.00', receivedOn: '2026-12-31', method: 'BANK_TRANSFER' },
    });
    expect(recordPayment.bookedAt.slice(0, 10) <= '2027-01-04').toBe(true);
    expect(recordPayment.bookingLagDays).toBe(1); // only Monday the 4th is a working day after the 31st

    expect(await eventsOf(f.finance.client, customerId)).toEqual([
      { type: 'BECAME_OVERDUE', stage: 1, previousStage: null, daysOverdue: 1, outstanding: '1000.00', asOf: '2027-01-05' },
      { type: 'CLEARED', stage: null, previousStage: 1, daysOverdue: 1, outstanding: '0.00', asOf: '2027-01-05' },
    ]);
    const { receivable: after } = await f.finance.client.receivable({ id: receivable.id });
    expect(after).toMatchObject({ status: 'PAID', overdueStage: null, daysOverdue: 0 });

    // A scan of the same day again changes nothing.
    expect((await later.runOverdueScan({ asOf: '2027-01-05' })).runOverdueScan).toMatchObject({ becameOverdue: 0, cleared: 0 });

    await f.finance.client.voidPayment({ id: recordPayment.id, reason: 'bank reversed the transfer' });
    const types = (await eventsOf(f.finance.client, customerId)).map((e) => e.type);
    expect(types).toEqual(['BECAME_OVERDUE', 'CLEARED', 'BECAME_OVERDUE']);
    expect(await stageOf(f.finance.client, receivable.id)).toBe(1);
  });

  test('a payment notice holds the alarm back for PAYMENT_NOTICE_HOLD_DAYS working days, then it fires', async () => {
    const {
      customer: { id: customerId },
      receivable,
    } = await f.make.customerWithReceivable({ issuedOn: '2026-11-15', dueOn: '2026-12-15' });
    const { reportPaymentNotice } = await f.sales.client.reportPaymentNotice({
      input: { receivableId: receivable.id, claimedPaidOn: '2026-12-14', note: 'Customer says they wired it' },
    });
    // Reported Monday 4 January; held that day and the next 3 working days: through Thursday the 7th.
    expect(reportPaymentNotice).toMatchObject({ status: 'OPEN' });
    const { receivable: withNotice } = await f.finance.client.receivable({ id: receivable.id });
    expect(withNotice!.paymentNotices[0]).toMatchObject({ createdOn: '2027-01-04', holdUntil: '2027-01-07' });

    for (const asOf of ['2027-01-04', '2027-01-06', '2027-01-07']) {
      await later.runOverdueScan({ asOf });
      expect(await eventsOf(f.finance.client, customerId)).toEqual([]);
    }
    await later.runOverdueScan({ asOf: '2027-01-08' });
    expect(await eventsOf(f.finance.client, customerId)).toEqual([
      { type: 'BECAME_OVERDUE', stage: 1, previousStage: null, daysOverdue: 24, outstanding: '1000.00', asOf: '2027-01-08' },
    ]);
  });

  test('a notice reported on an overdue receivable clears the alarm while it holds', async () => {
    const {
      customer: { id: customerId },
      receivable,
    } = await f.make.customerWithReceivable({ issuedOn: '2026-11-20', dueOn: '2026-12-20' });
    await f.finance.client.runOverdueScan({ asOf: '2027-01-04' });
    expect(await stageOf(f.finance.client, receivable.id)).toBe(1);
    await f.sales.client.reportPaymentNotice({ input: { receivableId: receivable.id, claimedPaidOn: '2027-01-02', note: 'Paid at the branch' } });
    expect((await eventsOf(f.finance.client, customerId)).map((e) => e.type)).toEqual(['BECAME_OVERDUE', 'CLEARED']);
    await later.runOverdueScan({ asOf: '2027-01-08' });
    expect((await eventsOf(f.finance.client, customerId)).map((e) => e.type)).toEqual(['BECAME_OVERDUE', 'CLEARED', 'BECAME_OVERDUE']);
  });
});

describe('stages, calendar and clearing (scans as of chosen dates)', () => {
  // Each test has a timeline of its own: the engine's date only moves forward. Today is fixed
  // at 30 November 2026, so every scan date of the tests may be judged.
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture({ CLOCK_DATE: '2026-11-30' });
  });
  afterEach(() => f.server.close());

  test('a due date on a Saturday is overdue from the Tuesday; a make-up Saturday counts as a working day', async () => {
    // Saturday 10 October 2026 → effective Monday 12th.
    const weekend = await f.make.customerWithReceivable({ issuedOn: '2026-09-10', dueOn: '2026-10-10' });
    expect(weekend.receivable.effectiveDueOn).toBe('2026-10-12');
    await f.finance.client.runOverdueScan({ asOf: '2026-10-12' });
    expect(await eventsOf(f.finance.client, weekend.customer.id)).toEqual([]);
    await f.finance.client.runOverdueScan({ asOf: '2026-10-13' });
    expect(await eventsOf(f.finance.client, weekend.customer.id)).toMatchObject([{ type: 'BECAME_OVERDUE', daysOverdue: 1, stage: 1 }]);

    // Saturday 17 October made a working day: due that day, overdue on Sunday 18th.
    await f.server.admin.setCalendarDay({ date: '2026-10-17', kind: 'WORKDAY', name: 'make-up day' });
    const makeUp = await f.make.customerWithReceivable({ issuedOn: '2026-09-17', dueOn: '2026-10-17' });
    expect(makeUp.receivable.effectiveDueOn).toBe('2026-10-17');
    await f.finance.client.runOverdueScan({ asOf: '2026-10-18' });
    expect(await eventsOf(f.finance.client, makeUp.customer.id)).toMatchObject([{ type: 'BECAME_OVERDUE', daysOverdue: 1, asOf: '2026-10-18' }]);
  });

  test('other stage thresholds (OVERDUE_STAGES changed): the next scan judges every receivable with them', async () => {
    // One whose alarm only the date moves, one whose position a later date moves (100.00
    // arrives on 1 September), one that falls due after the change.
    const {
      customer: { id: customerId },
      receivable,
    } = await f.make.customerWithReceivable({ issuedOn: '2026-05-01', dueOn: '2026-06-01', amount: '500.00' });
    const paidLater = await f.make.customerWithReceivable({ issuedOn: '2026-05-01', dueOn: '2026-06-01', amount: '400.00' });
    await f.finance.client.recordPayment({
      input: { customerId: paidLater.customer.id, amount: '100.00', receivedOn: '2026-09-01', method: 'CASH', lagReason: 'late entry' },
    });
    const other = await f.make.customerWithReceivable({ issuedOn: '2026-05-01', dueOn: '2026-06-05', amount: '300.00' });
    await f.finance.client.runOverdueScan({ asOf: '2026-06-02' });
    expect(await stageOf(f.finance.client, receivable.id)).toBe(1);
    expect(await stageOf(f.finance.client, paidLater.receivable.id)).toBe(1);

    await f.server.restart({ OVERDUE_STAGES: '1,10,20' });
    // Until a judgement with them, the state is the one judged with 1/30/60/90.
    expect(await stageOf(f.finance.client, receivable.id)).toBe(1);
    // 11 days past due: stage 10 now for both (with 1/30/60/90 their next date was day 30); the third is 7 days past due.
    const { runOverdueScan: scan } = await f.finance.client.runOverdueScan({ asOf: '2026-06-12' });
    expect(scan).toMatchObject({ ran: true, becameOverdue: 1, escalated: 2, overdueCount: 3 });
    expect(await stageOf(f.finance.client, receivable.id)).toBe(10);
    expect(await stageOf(f.finance.client, paidLater.receivable.id)).toBe(10);
    expect(await stageOf(f.finance.client, other.receivable.id)).toBe(1);
    expect(await eventsOf(f.finance.client, customerId)).toEqual([
      { type: 'BECAME_OVERDUE', stage: 1, previousStage: null, daysOverdue: 1, outstanding: '500.00', asOf: '2026-06-02' },
      { type: 'STAGE_ESCALATED', stage: 10, previousStage: 1, daysOverdue: 11, outstanding: '500.00', asOf: '2026-06-12' },
    ]);
    // And on by the new thresholds: the third reached 10 days on the 15th, the first two 20 days on the 21st.
    expect((await f.finance.client.runOverdueScan({ asOf: '2026-06-20' })).runOverdueScan).toMatchObject({ escalated: 1, judgedLate: 1 });
    expect(await stageOf(f.finance.client, receivable.id)).toBe(10);
    expect(await stageOf(f.finance.client, other.receivable.id)).toBe(10);
    expect((await f.finance.client.runOverdueScan({ asOf: '2026-06-21' })).runOverdueScan).toMatchObject({ escalated: 2, judgedLate: 0 });
    expect(await stageOf(f.finance.client, receivable.id)).toBe(20);
    expect(await stageOf(f.finance.client, paidLater.receivable.id)).toBe(20);
    const { receivables } = await f.finance.client.receivables({ first: 10, filter: { alarmed: true, customerId } });
    expect(receivables.edges.map(({ node }) => [node.id, node.overdueStage])).toEqual([[receivable.id, 20]]);
  });

  test('stages 1 → 30 → 60 → 90, one event per transition, nothing twice, never back down', async () => {
    const {
      customer: { id: customerId },
      receivable,
    } = await f.make.customerWithReceivable({ issuedOn: '2026-05-01', dueOn: '2026-06-01', amount: '500.00' });
    const expectStage = async (asOf: string, stage: number | null) => {
      await f.finance.client.runOverdueScan({ asOf });
      expect(await stageOf(f.finance.client, receivable.id)).toBe(stage);
      // The alarmed filter and the customer's alarmed money say the same (its stage follows its schedule, unwritten).
      const { receivables } = await f.finance.client.receivables({ first: 10, filter: { alarmed: true, customerId } });
      expect(receivables.edges.map(({ node }) => node.id)).toEqual(stage === null ? [] : [receivable.id]);
      expect((await f.finance.client.customer({ id: customerId })).customer?.alarmedAmount).toBe(stage === null ? '0.00' : '500.00');
    };
    await expectStage('2026-06-01', null);
    await expectStage('2026-06-02', 1);
    await expectStage('2026-06-30', 1); // 29 days
    await expectStage('2026-07-01', 30);
    await expectStage('2026-07-01', 30); // the same scan twice
    await expectStage('2026-07-31', 60);
    await expectStage('2026-08-30', 90);
    // The alarm state does not go back in time: the aging report answers for earlier days.
    await expect(f.finance.client.runOverdueScan({ asOf: '2026-06-10' })).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'SCAN_DATE_BEFORE_LAST_SCAN',
      field: 'asOf',
    });
    expect(await stageOf(f.finance.client, receivable.id)).toBe(90);
    expect(await eventsOf(f.finance.client, customerId)).toEqual([
      { type: 'BECAME_OVERDUE', stage: 1, previousStage: null, daysOverdue: 1, outstanding: '500.00', asOf: '2026-06-02' },
      { type: 'STAGE_ESCALATED', stage: 30, previousStage: 1, daysOverdue: 30, outstanding: '500.00', asOf: '2026-07-01' },
      { type: 'STAGE_ESCALATED', stage: 60, previousStage: 30, daysOverdue: 60, outstanding: '500.00', asOf: '2026-07-31' },
      { type: 'STAGE_ESCALATED', stage: 90, previousStage: 60, daysOverdue: 90, outstanding: '500.00', asOf: '2026-08-30' },
    ]);

    // Paid in full (booked late, with a reason): the money arrived after the engine's date
    // (30 August), so the alarm stands until a scan judges a day after the money arrived.
    await f.finance.client.recordPayment({
      input: { customerId, amount: '500.00', receivedOn: '2026-09-15', method: 'BANK_TRANSFER', lagReason: 'found on the statement' },
    });
    expect(await eventsOf(f.finance.client, customerId)).toHaveLength(4);
    await f.finance.client.runOverdueScan({ asOf: '2026-09-15' });
    const events = await eventsOf(f.finance.client, customerId);
    expect(events[events.length - 1]).toEqual({ type: 'CLEARED', previousStage: 90, stage: null, daysOverdue: 106, outstanding: '0.00', asOf: '2026-09-15' });
  });

  test('a first scan long after the due date enters the reached stage directly', async () => {
    const {
      customer: { id: customerId },
    } = await f.make.customerWithReceivable({ issuedOn: '2026-03-01', dueOn: '2026-04-01' });
    await f.finance.client.runOverdueScan({ asOf: '2026-06-10' }); // 70 days
    expect(await eventsOf(f.finance.client, customerId)).toMatchObject([{ type: 'BECAME_OVERDUE', stage: 60, daysOverdue: 70 }]);
  });

  test('twelve thousand falling overdue on one day: one scan judges each once, one event each, in due-date order', async () => {
    // Enough candidates reading the ledger (new to the engine) for the judgement to take their statistics (ANALYZE_CANDIDATES_FROM).
    const customer = await f.make.customer();
    const amountOf = (n: number) => `${100 + (n % 50)}.00`;
    for (let batch = 0; batch < 12; batch++) {
      const rows = Array.from({ length: 1000 }, (_, i) => {
        const n = batch * 1000 + i;
        // Monday 5 and Tuesday 6 October 2026, alternately.
        return {
          externalId: `FALL-${n}`,
          customerCode: customer.code,
          reference: `FALL-${n}`,
          amount: amountOf(n),
          issuedOn: '2026-09-01',
          dueOn: n % 2 === 0 ? '2026-10-05' : '2026-10-06',
        };
      });
      const { importReceivables } = await f.finance.client.importReceivables({ options: { source: 'ERP', mode: 'APPLY' }, rows });
      expect(importReceivables).toMatchObject({ committed: true, created: 1000, failed: 0 });
    }

    const { runOverdueScan: scan } = await f.finance.client.runOverdueScan({ asOf: '2026-10-20' });
    expect(scan).toMatchObject({ ran: true, judged: 12_000, becameOverdue: 12_000, escalated: 0, cleared: 0, overdueCount: 12_000 });
    const { overdueEvents } = await f.finance.client.overdueEvents({ first: 200, filter: { customerId: customer.id } });
    expect(overdueEvents.totalCount).toBe(12_000);
    // The stream starts with the earlier due date, each event as the position says.
    for (const { node } of overdueEvents.edges) {
      expect(node).toMatchObject({ type: 'BECAME_OVERDUE', stage: 1, daysOverdue: 15, asOf: '2026-10-20' });
      expect(node.receivable).toMatchObject({ dueOn: '2026-10-05', overdueStage: 1 });
      expect(node.outstanding).toBe(node.receivable!.amount);
    }
    // Σ (100 + n mod 50) over 12,000 receivables: 12,000 × 100 + 240 × (0 + … + 49).
    expect((await f.finance.client.customer({ id: customer.id })).customer).toMatchObject({ overdueAmount: '1494000.00', alarmedAmount: '1494000.00' });
    // Judged once: the same day again judges nothing.
    expect((await f.finance.client.runOverdueScan({ asOf: '2026-10-20' })).runOverdueScan).toMatchObject({ judged: 0, overdueCount: 12_000 });
  });

  test('a partial payment keeps the alarm; a write-off clears it, as of the engine date', async () => {
    const {
      customer: { id: customerId },
      receivable,
    } = await f.make.customerWithReceivable({ issuedOn: '2026-07-01', dueOn: '2026-08-03', amount: '800.00' });
    await f.finance.client.runOverdueScan({ asOf: '2026-08-10' });
    await f.finance.client.recordPayment({
      input: { customerId, amount: '300.00', receivedOn: '2026-08-20', method: 'CASH', lagReason: 'late entry' },
    });
    // Today's scan: 119 days past the effective due date, 500.00 left.
    await f.finance.client.runOverdueScan({});
    expect(await stageOf(f.finance.client, receivable.id)).toBe(90);
    await f.finance.client.writeOffReceivable({ id: receivable.id, reason: 'customer insolvent' });
    expect(await eventsOf(f.finance.client, customerId)).toEqual([
      { type: 'BECAME_OVERDUE', stage: 1, previousStage: null, daysOverdue: 7, outstanding: '800.00', asOf: '2026-08-10' },
      { type: 'STAGE_ESCALATED', stage: 90, previousStage: 1, daysOverdue: 119, outstanding: '500.00', asOf: '2026-11-30' },
      { type: 'CLEARED', stage: null, previousStage: 90, daysOverdue: 119, outstanding: '0.00', asOf: '2026-11-30' },
    ]);
    expect(await stageOf(f.finance.client, receivable.id)).toBeNull();
  });

  test('a late-booked payment that arrived before the effective due date clears; a void brings the alarm back', async () => {
    const {
      customer: { id: customerId },
      receivable,
    } = await f.make.customerWithReceivable({ issuedOn: '2026-08-01', dueOn: '2026-09-01', amount: '250.00' });
    await f.finance.client.runOverdueScan({ asOf: '2026-09-10' });
    const { recordPayment } = await f.finance.client.recordPayment({
      input: { customerId, amount: '250.00', receivedOn: '2026-08-31', method: 'BANK_TRANSFER', lagReason: 'statement arrived late' },
    });
    expect((await eventsOf(f.finance.client, customerId)).map((e) => e.type)).toEqual(['BECAME_OVERDUE', 'CLEARED']);
    await f.finance.client.voidPayment({ id: recordPayment.id, reason: 'recorded on the wrong customer' });
    // Judged again at once, as of the engine's date (the last scan, 10 September).
    expect(await eventsOf(f.finance.client, customerId)).toEqual([
      { type: 'BECAME_OVERDUE', stage: 1, previousStage: null, daysOverdue: 9, outstanding: '250.00', asOf: '2026-09-10' },
      { type: 'CLEARED', stage: null, previousStage: 1, daysOverdue: 9, outstanding: '0.00', asOf: '2026-09-10' },
      { type: 'BECAME_OVERDUE', stage: 1, previousStage: null, daysOverdue: 9, outstanding: '250.00', asOf: '2026-09-10' },
    ]);
    expect(await stageOf(f.finance.client, receivable.id)).toBe(1);
  });

  test('concurrent scans of the same day write each transition once', async () => {
    const customers = await Promise.all([1, 2, 3].map(() => f.make.customerWithReceivable({ issuedOn: '2026-01-05', dueOn: '2026-02-02' })));
    const results = await Promise.all(Array.from({ length: 6 }, () => f.finance.client.runOverdueScan({ asOf: '2026-02-20' })));
    expect(results.reduce((n, r) => n + r.runOverdueScan.becameOverdue, 0)).toBeGreaterThanOrEqual(3);
    for (const c of customers) {
      expect(await eventsOf(f.finance.client, c.customer.id)).toMatchObject([{ type: 'BECAME_OVERDUE', asOf: '2026-02-20' }]);
    }
    const duplicates = await f.server.sql<{ n: number }>(
      `select count(*)::int as n from (select receivable_id, type, as_of from overdue_event group by 1, 2, 3 having count(*) > 1) d`,
    );
    expect(duplicates[0].n).toBe(0);
  });

  test('only ADMIN and FINANCE may run a scan; the event table refuses changes', async () => {
    await expect(f.sales.client.runOverdueScan({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const manager = await f.server.createUser('MANAGER');
    await expect(manager.client.runOverdueScan({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await f.make.customerWithReceivable({ issuedOn: '2026-01-05', dueOn: '2026-02-02' });
    expect((await f.finance.client.runOverdueScan({})).runOverdueScan.becameOverdue).toBe(1);
    await expect(f.server.sql('delete from overdue_event')).rejects.toThrow(/append-only/);
    await expect(f.server.sql('update overdue_event set outstanding = 0')).rejects.toThrow(/append-only/);
  });

  test('filters: type, minimum stage; SALES sees only their own customers; the connection pages without gaps or repeats', async () => {
    const other = await f.server.createUser('SALES');
    const { createCustomer } = await f.finance.client.createCustomer({
      input: { code: 'OD-OTHER', name: 'Someone else', ownerId: other.id, creditTermDays: 30, creditLimit: '1.00' },
    });
    await f.finance.client.createReceivable({
      input: { customerId: createCustomer.id, reference: 'X1', amount: '10.00', issuedOn: '2025-10-01', dueOn: '2025-11-03' },
    });
    for (const dueOn of ['2026-06-01', '2026-06-15', '2026-07-01']) await f.make.customerWithReceivable({ issuedOn: '2026-05-01', dueOn });
    await f.finance.client.runOverdueScan({ asOf: '2026-07-10' });
    await f.finance.client.runOverdueScan({ asOf: '2026-09-01' });

    const all = (await f.finance.client.overdueEvents({ first: 200 })).overdueEvents;
    const mine = (await f.sales.client.overdueEvents({ first: 200 })).overdueEvents;
    const theirs = (await other.client.overdueEvents({ first: 200 })).overdueEvents;
    expect(all.totalCount).toBe(7); // 4 raised on 10 July, 3 escalated on 1 September
    expect(mine.totalCount + theirs.totalCount).toBe(all.totalCount);
    expect(theirs.edges.map((e) => e.node.customer.code)).toEqual(['OD-OTHER']);
    expect(mine.edges.every((e) => e.node.customer.code !== 'OD-OTHER')).toBe(true);

    const escalations = (await f.finance.client.overdueEvents({ first: 200, filter: { types: ['STAGE_ESCALATED'] } })).overdueEvents;
    expect(escalations.totalCount).toBe(3);
    expect(escalations.edges.every((e) => e.node.type === 'STAGE_ESCALATED')).toBe(true);
    const late = (await f.finance.client.overdueEvents({ first: 200, filter: { minStage: 60 } })).overdueEvents;
    expect(late.edges.every((e) => Math.max(e.node.stage ?? 0, e.node.previousStage ?? 0) >= 60)).toBe(true);
    expect(late.totalCount).toBe(4); // X1 entered at 90; one rose from 30 to 90, two from 1 to 60

    const firstPage = (await f.finance.client.overdueEvents({ first: 3 })).overdueEvents;
    const ids = firstPage.edges.map((e) => e.node.id);
    let after = firstPage.pageInfo.endCursor;
    let hasNext = firstPage.pageInfo.hasNextPage;
    while (hasNext) {
      const page = (await f.finance.client.overdueEvents({ first: 3, after })).overdueEvents;
      ids.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.endCursor;
      hasNext = page.pageInfo.hasNextPage;
    }
    expect(ids).toEqual(all.edges.map((e) => e.node.id));
    expect(new Set(ids).size).toBe(7);
    await expect(f.finance.client.overdueEvents({ after: 'not-a-cursor' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('scheduled scans', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture({ CLOCK_DATE: '2026-11-30', OVERDUE_SCAN_INTERVAL: '1s' });
  });
  afterAll(() => f.server.close());

  test('raise the alarm by themselves, as of today', async () => {
    const {
      customer: { id: customerId },
    } = await f.make.customerWithReceivable({ issuedOn: '2026-10-01', dueOn: '2026-11-02' });
    const deadline = Date.now() + 10_000;
    let events = await eventsOf(f.finance.client, customerId);
    while (events.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      events = await eventsOf(f.finance.client, customerId);
    }
    expect(events).toEqual([{ type: 'BECAME_OVERDUE', stage: 1, previousStage: null, daysOverdue: 28, outstanding: '1000.00', asOf: '2026-11-30' }]);
  });
});
