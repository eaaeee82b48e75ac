/**
 * Aging, collection statistics and weekly snapshots through the API, on a small fixed
 * ledger whose every expected figure is computed by hand below. "Today" is Monday
 * 7 December 2026 (CLOCK_DATE); every payment is booked today, long after the money
 * arrived, so any metric that used bookedAt instead of receivedOn would be wrong.
 *
 * Calendar: Thursday 26 November 2026 is a company HOLIDAY.
 * Salespeople S1 (Alice) and S2 (Bob). Customers C1 (S1), C2 (S2), C3 (S1, reassigned
 * to S2 after R5 was issued).
 *
 *  rec  cust sp  amount  issued      due (weekday)          effective due  what happens
 *  R1   C1   S1  1000    2026-10-01  11-10 Tue              11-10          P1 1000 arrived 11-09 (on time)
 *  R2   C1   S1  2000    2026-10-05  11-14 Sat (weekend)    11-16 Mon      P2 500 arrived 11-16 (on time), P3 700 arrived 11-20 (late) → 800 open
 *  R3   C2   S2  1500    2026-10-10  11-18 Wed              11-18          written off today (12-07)
 *  R4   C2   S2   600    2026-10-15  11-25 Wed              11-25          P4 600 arrived 11-24, voided → 600 open
 *  R5   C3   S1   900    2026-10-20  11-26 Thu (holiday)    11-27 Fri      P5 1200 arrived 11-27: 900 to R5, 300 stays credit
 *  R6   C3   S2   400    2026-11-28  12-28 Mon              12-28          issued after the reassignment; P5's 300 credit applied → 100 open
 *  R7   C1   S1   300    2026-08-03  09-15 Tue              09-15          unpaid
 *  R8   C2   S2   250    2026-07-01  08-03 Mon              08-03          unpaid
 *  R9   C2   S2   150    2026-09-01  10-15 Thu              10-15          unpaid
 */
import WebSocket from 'ws';
import { Client, createClient } from '../../sdk/index.js';
import { factories } from '../helpers/factories';
import { expectApiError, startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let finance: TestUser;
let manager: TestUser;
let s1: TestUser;
let s2: TestUser;
const r: Record<string, string> = {};
const p: Record<string, string> = {};
const c: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: '2026-12-07', WEEKLY_ANALYSIS_AT: 'off' });
  finance = await server.createUser('FINANCE', 'Fay Finance');
  manager = await server.createUser('MANAGER', 'Max Manager');
  s1 = await server.createUser('SALES', 'Alice S1');
  s2 = await server.createUser('SALES', 'Bob S2');
  const f = finance.client;
  await server.admin.setCalendarDay({ date: '2026-11-26', kind: 'HOLIDAY', name: 'Company day' });

  // Every payment is booked today, long after the money arrived: each needs a lag reason.
  const make = factories(server, { as: f, today: '2026-12-07', defaults: { payment: { lagReason: 'found on the bank statement' } } });
  for (const [code, owner] of [
    ['C1', s1],
    ['C2', s2],
    ['C3', s1],
  ] as const) {
    c[code] = (await make.customer({ code, name: `Customer ${code}`, ownerId: owner.id })).id;
  }

  for (const [name, customer, amount, issuedOn, dueOn] of [
    ['R1', 'C1', '1000.00', '2026-10-01', '2026-11-10'],
    ['R2', 'C1', '2000.00', '2026-10-05', '2026-11-14'],
    ['R3', 'C2', '1500.00', '2026-10-10', '2026-11-18'],
    ['R4', 'C2', '600.00', '2026-10-15', '2026-11-25'],
    ['R5', 'C3', '900.00', '2026-10-20', '2026-11-26'],
    ['R7', 'C1', '300.00', '2026-08-03', '2026-09-15'],
    ['R8', 'C2', '250.00', '2026-07-01', '2026-08-03'],
    ['R9', 'C2', '150.00', '2026-09-01', '2026-10-15'],
  ]) {
    r[name] = (await make.receivable(c[customer], { reference: name, amount, issuedOn, dueOn })).id;
  }

  for (const [name, customer, amount, receivedOn, receivable, allocated] of [
    ['P1', 'C1', '1000.00', '2026-11-09', 'R1', '1000.00'],
    ['P2', 'C1', '500.00', '2026-11-16', 'R2', '500.00'],
    ['P3', 'C1', '700.00', '2026-11-20', 'R2', '700.00'],
    ['P4', 'C2', '600.00', '2026-11-24', 'R4', '600.00'],
  ]) {
    p[name] = (await make.payment(c[customer], { amount, receivedOn, allocations: [{ receivableId: r[receivable], amount: allocated }] })).id;
  }
  await f.voidPayment({ id: p.P4, reason: 'bank reversed the transfer' });
  p.P5 = (await make.payment(c.C3, { amount: '1200.00', receivedOn: '2026-11-27', allocations: [{ receivableId: r.R5, amount: '900.00' }] })).id;
  await f.writeOffReceivable({ id: r.R3, reason: 'customer insolvent' });

  await f.reassignCustomer({ id: c.C3, ownerId: s2.id });
  r.R6 = (await make.receivable(c.C3, { reference: 'R6', amount: '400.00', issuedOn: '2026-11-28', dueOn: '2026-12-28' })).id;
  await f.allocatePayment({ id: p.P5, allocations: [{ receivableId: r.R6, amount: '300.00' }] });
});
afterAll(() => server?.close());

const bySp = <T extends { salesperson: { id: string } }>(rows: T[], id: string) => rows.find((row) => row.salesperson.id === id);

describe('agingReport', () => {
  test('as of 30 November: buckets by days past the effective due date, total and per salesperson', async () => {
    const { agingReport } = await manager.client.agingReport({ asOf: '2026-11-30' });
    // current: R6 100 (due 12-28). 1–30: R2 800 (14 d), R3 1500 (12 d, written off only on 12-07), R4 600 (5 d, the void
    // brought it back). 31–60: R9 150 (46 d). 61–90: R7 300 (76 d). 90+: R8 250 (119 d). R1 and R5 are paid.
    expect(agingReport).toMatchObject({
      asOf: '2026-11-30',
      total: '3700.00',
      current: '100.00',
      d1to30: '2900.00',
      d31to60: '150.00',
      d61to90: '300.00',
      over90: '250.00',
      receivables: 7,
      overdueCount: 6,
    });
    expect(agingReport.bySalesperson.map((row) => row.salesperson.name)).toEqual(['Alice S1', 'Bob S2']);
    // S1: R2 800 + R7 300. S2: R3 1500 + R4 600 + R6 100 + R8 250 + R9 150 (R6 is S2's: issued after the reassignment).
    expect(bySp(agingReport.bySalesperson, s1.id)).toMatchObject({ total: '1100.00', current: '0.00', d1to30: '800.00', d61to90: '300.00', over90: '0.00' });
    expect(bySp(agingReport.bySalesperson, s2.id)).toMatchObject({
      total: '2600.00',
      current: '100.00',
      d1to30: '2100.00',
      d31to60: '150.00',
      d61to90: '0.00',
      over90: '250.00',
    });
  });

  test('as of 20 November the ledger stands as it did then: payments count from receivedOn, not from their booking on 7 December', async () => {
    const { agingReport } = await manager.client.agingReport({ asOf: '2026-11-20' });
    // R1 paid 11-09 → 0. R2: 500 (11-16) + 700 (11-20) arrived → 800, 4 d past. R3 1500, 2 d past. R4 600 and R5 900 not
    // yet due (P5 arrives only 11-27). R6 not issued yet. R7 300 (66 d), R8 250 (109 d), R9 150 (36 d).
    expect(agingReport).toMatchObject({ total: '4500.00', current: '1500.00', d1to30: '2300.00', d31to60: '150.00', d61to90: '300.00', over90: '250.00' });
    // R5 was issued while S1 owned C3: it stays S1's after the reassignment. S1: 800 + 900 + 300; S2: 1500 + 600 + 250 + 150.
    expect(bySp(agingReport.bySalesperson, s1.id)).toMatchObject({ total: '2000.00', current: '900.00', d1to30: '800.00' });
    expect(bySp(agingReport.bySalesperson, s2.id)).toMatchObject({ total: '2500.00', current: '600.00', d1to30: '1500.00' });
  });

  test('as of today the write-off of R3 counts', async () => {
    const { agingReport } = await manager.client.agingReport({ asOf: '2026-12-07' });
    // R2 800 (21 d) + R4 600 (12 d) | R6 100 current | R9 150 (53 d) | R7 300 (83 d) | R8 250 (126 d).
    expect(agingReport).toMatchObject({ total: '2200.00', current: '100.00', d1to30: '1400.00', d31to60: '150.00', d61to90: '300.00', over90: '250.00' });
  });

  test('one salesperson: SALES see only their own, asking for another is FORBIDDEN; unknown ids are NOT_FOUND', async () => {
    const own = (await s1.client.agingReport({ asOf: '2026-11-30' })).agingReport;
    expect(own).toMatchObject({ total: '1100.00', d1to30: '800.00', d61to90: '300.00' });
    expect(own.bySalesperson.map((row) => row.salesperson.id)).toEqual([s1.id]);
    expect((await manager.client.agingReport({ asOf: '2026-11-30', salespersonId: s2.id })).agingReport.total).toBe('2600.00');
    await expectApiError(s1.client.agingReport({ asOf: '2026-11-30', salespersonId: s2.id }), 'FORBIDDEN');
    await expectApiError(
      manager.client.agingReport({ asOf: '2026-11-30', salespersonId: '00000000-0000-4000-8000-000000000000' }),
      'NOT_FOUND',
      'salespersonId',
    );
    await expectApiError(manager.client.agingReport({ asOf: '2026-11-31' }), 'BAD_USER_INPUT', 'asOf');
  });
});

describe('collectionStats for November', () => {
  test('company: due, collected, rates, DSO and CEI by hand', async () => {
    const { collectionStats } = await finance.client.collectionStats({ from: '2026-11-01', to: '2026-11-30' });
    // Due in November (effective due date): R1 1000 + R2 2000 + R3 1500 + R4 600 + R5 900 = 6000 (5 receivables).
    // Collected by 11-30: R1 1000 + R2 500 + 700 + R5 900 = 3100 (P4 is void) → rate 3100/6000 = 0.516666666.
    // On time (arrived by the effective due date): R1 1000 (11-09 ≤ 11-10), R2 500 (11-16 ≤ 11-16; 700 on 11-20 is late),
    // R5 900 (11-27 ≤ 11-27 — due on the holiday, rolled to Friday) = 2400 → 2400/6000 = 0.4.
    // Opening (end of 10-31): R1–R5 + R7 + R8 + R9 = 6000 + 700 = 6700. Sales (issued in Nov): R6 400.
    // Closing (11-30): R2 800 + R3 1500 + R4 600 + R6 100 + R7 300 + R8 250 + R9 150 = 3700, overdue all but R6: 3600 (6).
    // DSO = 3700 / 400 × 30 days = 277.5. Collected in the window = 6700 + 400 − 0 − 3700 = 3400 (= 1000+500+700+900+300).
    // CEI = 3400 / (6700 + 400 − 0 − (3700 − 3600)) = 3400 / 7000 = 0.485714285. Overdue ratio 3600/3700 = 0.972972972.
    expect(collectionStats).toMatchObject({
      from: '2026-11-01',
      to: '2026-11-30',
      due: '6000.00',
      dueCount: 5,
      collected: '3100.00',
      collectionRate: 0.516666666,
      onTimeRate: 0.4,
      dso: 277.5,
      cei: 0.485714285,
      sales: '400.00',
      collectedInWindow: '3400.00',
      openingOutstanding: '6700.00',
      closingOutstanding: '3700.00',
      overdueAmount: '3600.00',
      overdueCount: 6,
      overdueRatio: 0.972972972,
    });
  });

  test('per salesperson: the reassigned customer’s old receivable stays with S1', async () => {
    const { collectionStats } = await finance.client.collectionStats({ from: '2026-11-01', to: '2026-11-30' });
    // S1: due R1+R2+R5 = 3900, collected 3100 (0.794871794), on time 2400 (0.615384615); no sales → DSO null;
    // opening 3900 + 300 (R7) = 4200, closing 800 + 300 = 1100 all overdue → CEI 3100/(3100+1100) = 0.738095238.
    expect(bySp(collectionStats.bySalesperson, s1.id)).toMatchObject({
      due: '3900.00',
      collected: '3100.00',
      collectionRate: 0.794871794,
      onTimeRate: 0.615384615,
      dso: null,
      cei: 0.738095238,
      collectedInWindow: '3100.00',
      closingOutstanding: '1100.00',
      overdueAmount: '1100.00',
    });
    // S2: due R3+R4 = 2100, nothing collected; sales R6 400; opening 2100 + 250 + 150 = 2500; closing 2600, overdue 2500;
    // collected in window 2500 + 400 − 2600 = 300 (the credit on R6); DSO 2600/400×30 = 195; CEI 300/(300+2500) = 0.107142857.
    expect(bySp(collectionStats.bySalesperson, s2.id)).toMatchObject({
      due: '2100.00',
      collected: '0.00',
      collectionRate: 0,
      onTimeRate: 0,
      dso: 195,
      cei: 0.107142857,
      sales: '400.00',
      collectedInWindow: '300.00',
      overdueAmount: '2500.00',
    });
    const own = (await s1.client.collectionStats({ from: '2026-11-01', to: '2026-11-30' })).collectionStats;
    expect(own).toMatchObject({ due: '3900.00', collectionRate: 0.794871794 });
  });

  test('in December the write-off is neither collected nor due; a window with nothing due has null rates', async () => {
    const { collectionStats } = await finance.client.collectionStats({ from: '2026-12-01', to: '2026-12-07' });
    // Nothing falls due 12-01..12-07. Opening = November's closing 3700; the R3 write-off (1500) leaves; closing 2200.
    // Collected in the window = 3700 + 0 − 1500 − 2200 = 0. CEI = 0 / (0 + overdue 2100) = 0; no sales → DSO null.
    expect(collectionStats).toMatchObject({
      due: '0.00',
      collectionRate: null,
      onTimeRate: null,
      dso: null,
      cei: 0,
      openingOutstanding: '3700.00',
      closingOutstanding: '2200.00',
      collectedInWindow: '0.00',
      overdueAmount: '2100.00',
    });
  });

  test('bad windows are BAD_USER_INPUT naming the field; roles without access are FORBIDDEN', async () => {
    await expectApiError(finance.client.collectionStats({ from: '2026-11-30', to: '2026-11-01' }), 'BAD_USER_INPUT', 'to');
    await expectApiError(finance.client.collectionStats({ from: '2010-01-01', to: '2026-11-01' }), 'BAD_USER_INPUT', 'to');
    await expectApiError(s1.client.collectionStats({ from: '2026-11-01', to: '2026-11-30', salespersonId: s2.id }), 'FORBIDDEN');
    const lead = await server.createUser('PROJECT_LEAD');
    await expectApiError(lead.client.collectionStats({ from: '2026-11-01', to: '2026-11-30' }), 'FORBIDDEN');
    await expectApiError(s1.client.weeklyAnalyses({}), 'FORBIDDEN');
  });
});

describe('weekly analysis', () => {
  let w1: Awaited<ReturnType<Client['publishWeeklyAnalysis']>>['publishWeeklyAnalysis'];

  test('the week of 23 November, by hand', async () => {
    w1 = (await manager.client.publishWeeklyAnalysis({ weekOf: '2026-11-25' })).publishWeeklyAnalysis;
    // As of Sunday 11-29: R2 800, R3 1500, R4 600 (1–30); R6 100 current (its 300 credit counts from its issue on 11-28);
    // R9 150 (45 d), R7 300 (75 d), R8 250 (118 d); R5 paid on 11-27.
    expect(w1).toMatchObject({
      weekStart: '2026-11-23',
      weekEnd: '2026-11-29',
      trigger: 'MANUAL',
      publishedBy: { id: manager.id },
      aging: { total: '3700.00', current: '100.00', d1to30: '2900.00', d31to60: '150.00', d61to90: '300.00', over90: '250.00' },
      // Due in the week: R4 600 (11-25) and R5 900 (11-27); collected R5 900, on time → 0.6 and 0.6.
      collections: { due: '1500.00', collected: '900.00', collectionRate: 0.6, onTimeRate: 0.6 },
      // Money that arrived in the week: P5 1200 (P4 is void), 300 of it customer credit at the time.
      received: '1200.00',
      paymentsReceived: 1,
      overdueAmount: '3600.00',
      overdueCount: 6,
      // First overdue day in the week and unpaid at its end: R4 (overdue from 11-26). R5 was paid on its due date.
      newOverdueCount: 1,
      newOverdueAmount: '600.00',
      change: null,
      // Nothing was booked in that week: every payment was booked on 12-07.
      bookingLag: { payments: 0, latePayments: 0, medianLagDays: null, maxLagDays: null, byClerk: [] },
    });
    expect(w1.topOverdueCustomers).toEqual([
      { customerId: c.C2, code: 'C2', name: 'Customer C2', overdueAmount: '2500.00', overdueCount: 4, maxDaysOverdue: 118 },
      { customerId: c.C1, code: 'C1', name: 'Customer C1', overdueAmount: '1100.00', overdueCount: 2, maxDaysOverdue: 75 },
    ]);
    expect(bySp(w1.aging.bySalesperson, s1.id)).toMatchObject({ total: '1100.00' });
    expect(bySp(w1.collections.bySalesperson, s1.id)).toMatchObject({ due: '900.00', collected: '900.00', collectionRate: 1 });
  });

  test('the next week compares itself with the stored previous week', async () => {
    const { publishWeeklyAnalysis: w2 } = await manager.client.publishWeeklyAnalysis({ weekOf: '2026-11-30' });
    // As of 12-06 nothing changed since 11-29 except that nothing arrived: outstanding 3700, overdue 3600 (6).
    expect(w2).toMatchObject({
      weekStart: '2026-11-30',
      aging: { total: '3700.00' },
      received: '0.00',
      collections: { due: '0.00', collectionRate: null },
      change: { previousWeekStart: '2026-11-23', outstanding: '0.00', overdueAmount: '0.00', overdueCount: 0, received: '-1200.00', collectionRate: null },
    });
  });

  test('booking lag of the week the payments were booked in (another instance whose today is 14 December)', async () => {
    const later = await server.startInstance({ CLOCK_DATE: '2026-12-14', WEEKLY_ANALYSIS_AT: 'off' });
    const onLater = createClient({ url: later.url, token: manager.token, webSocketImpl: WebSocket });
    const { publishWeeklyAnalysis: w3 } = await onLater.publishWeeklyAnalysis({ weekOf: '2026-12-07' });
    // Booked on 12-07 (not void): P1 (arrived 11-09), P2 (11-16), P3 (11-20), P5 (11-27). Working days after arrival up to
    // 12-07, the 11-26 holiday excluded: P1 19, P2 14, P3 10, P5 6 → all late, median (10+14)/2 = 12, max 19, all over 3.
    expect(w3.bookingLag).toMatchObject({ payments: 4, latePayments: 4, overLimit: 4, medianLagDays: 12, maxLagDays: 19 });
    expect(w3.bookingLag.byClerk).toEqual([
      { clerk: { id: finance.id, name: 'Fay Finance' }, payments: 4, latePayments: 4, overLimit: 4, medianLagDays: 12, maxLagDays: 19 },
    ]);
    // R3 was written off on 12-07: outstanding 2200 at 12-13, overdue 2100 (R2, R4, R7, R8, R9) against 3600 (6) the week before.
    expect(w3.change).toMatchObject({ previousWeekStart: '2026-11-30', outstanding: '-1500.00', overdueAmount: '-1500.00', overdueCount: -1 });
    await later.stop();
  });

  test('a snapshot stays as published after later corrections to the ledger; live reports change', async () => {
    // Corrections: P1 is voided (R1 1000 open again, 19 d past on 11-29); R4 gets a payment that arrived on 11-25.
    await finance.client.voidPayment({ id: p.P1, reason: 'booked to the wrong customer' });
    await finance.client.recordPayment({
      input: {
        customerId: c.C2,
        amount: '600.00',
        receivedOn: '2026-11-25',
        method: 'CASH',
        lagReason: 'late entry',
        allocations: [{ receivableId: r.R4, amount: '600.00' }],
      },
    });
    const live = (await manager.client.agingReport({ asOf: '2026-11-29' })).agingReport;
    expect(live.total).toBe('4100.00'); // 3700 − 600 (R4) + 1000 (R1)

    const { weeklyAnalysis } = await manager.client.weeklyAnalysis({ weekOf: '2026-11-29' });
    expect(weeklyAnalysis).toEqual(w1);
    // Publishing again returns the stored snapshot unchanged.
    expect((await manager.client.publishWeeklyAnalysis({ weekOf: '2026-11-23' })).publishWeeklyAnalysis).toEqual(w1);
    // And the database refuses to change it.
    await expect(server.sql(`update weekly_analysis set data = '{}' where week_start = '2026-11-23'`)).rejects.toThrow(/immutable/);

    const { weeklyAnalyses } = await finance.client.weeklyAnalyses({ last: 2 });
    expect(weeklyAnalyses.map((w) => w.weekStart)).toEqual(['2026-12-07', '2026-11-30']);
  });

  test('weeks not yet over, bad arguments and roles', async () => {
    await expectApiError(manager.client.publishWeeklyAnalysis({ weekOf: '2026-12-07' }), 'BAD_USER_INPUT', 'weekOf');
    await expectApiError(finance.client.publishWeeklyAnalysis({ weekOf: '2026-11-16' }), 'FORBIDDEN');
    await expectApiError(finance.client.weeklyAnalyses({ last: 0 }), 'BAD_USER_INPUT', 'last');
    expect((await finance.client.weeklyAnalysis({ weekOf: '2026-11-16' })).weeklyAnalysis).toBeNull();
    const [{ n }] = await server.sql<{ n: number }>('select count(*)::int as n from weekly_analysis');
    expect(n).toBe(3);
  });
});
