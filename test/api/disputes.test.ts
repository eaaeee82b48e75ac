/**
 * Disputes, black-box: the disputed amount leaves the chase but stays in every figure, a
 * resolution credits what the customer was right about and puts the rest back into the
 * chase at the stage the overdue engine reaches, and every dispute event is in the stream
 * once. Three server processes on one database play three business days (CLOCK_DATE):
 * Tue 2026-10-06, Thu 2026-11-05 and Mon 2026-12-07. No holidays: effective due = due.
 *
 * One customer of salesperson S1, every receivable issued 2026-09-01:
 *
 *  ref  amount  due    dispute (opened 10-06)          what else
 *  RA   1000    10-05  1000 PRICE, stays open          100.00 arrived 10-10 (booked 11-05)
 *  RB    600    10-05   600 QUALITY, INVALID on 11-05
 *  RC    500    10-05   200 QUANTITY, PARTIAL 150 on 11-05
 *  RD    400    10-05   400 DELIVERY, VALID on 11-05
 *  RE    300    10-20   300 NOT_ORDERED (before due), INVALID on 12-07
 *  RF    250    10-05   none
 *
 * Stages 1/30/60/90. Scans: 10-06 (RA RB RC RD RF enter stage 1), then the disputes;
 * 11-04 (30 days: RC, partly disputed, and RF escalate; RA RB RD fully disputed keep 1;
 * RE, fully disputed, does not become overdue at 15 days); 11-05 after the resolutions
 * (RB back at 30 as it would have been; RD credited to 0: CLEARED); 12-07 (63 days: RB RC
 * RF to 60; RA still 1); then RE resolved INVALID: BECAME_OVERDUE at 30 (48 days) at once.
 */
import WebSocket from 'ws';
import { type Client, createClient } from '../../sdk/index.js';
import { factories, type Factories } from '../helpers/factories';
import { CREDIT_RULES_OFF } from '../helpers/overdue-events';
import { rejection, startTestServer, type ServerProcess, type TestServer, type TestUser } from '../helpers/server';

const DAY1 = '2026-10-06';
const DAY2 = '2026-11-05';
const DAY3 = '2026-12-07';

let server: TestServer;
let finance: TestUser;
let manager: TestUser;
let sales: TestUser;
let otherSales: TestUser;
let make: Factories;
let day2: ServerProcess;
let day3: ServerProcess;
let customerId: string;
const ids: Record<string, string> = {};
const disputeOf: Record<string, string> = {};

const on = (instance: ServerProcess, user: TestUser): Client => createClient({ url: instance.url, token: user.token, webSocketImpl: WebSocket });

beforeAll(async () => {
  // No scheduled weekly analysis: the day-3 process would store the week of 11-30 at start, before the data exists.
  // The stream is checked event by event: without credit rules it carries no CREDIT_STATUS_CHANGED.
  server = await startTestServer({ ...CREDIT_RULES_OFF, CLOCK_DATE: DAY1, WEEKLY_ANALYSIS_AT: 'off' });
  finance = await server.createUser('FINANCE');
  manager = await server.createUser('MANAGER');
  sales = await server.createUser('SALES', 'S1 Sales');
  otherSales = await server.createUser('SALES', 'S2 Sales');
  make = factories(server, { as: finance.client, today: DAY1, ownerId: sales.id });
  day2 = await server.startInstance({ ...CREDIT_RULES_OFF, CLOCK_DATE: DAY2, WEEKLY_ANALYSIS_AT: 'off' });
  day3 = await server.startInstance({ ...CREDIT_RULES_OFF, CLOCK_DATE: DAY3, WEEKLY_ANALYSIS_AT: 'off' });
  customerId = (await make.customer({ code: 'DISPUTES' })).id;
  const rows: [string, string, string][] = [
    ['RA', '1000.00', '2026-10-05'],
    ['RB', '600.00', '2026-10-05'],
    ['RC', '500.00', '2026-10-05'],
    ['RD', '400.00', '2026-10-05'],
    ['RE', '300.00', '2026-10-20'],
    ['RF', '250.00', '2026-10-05'],
  ];
  for (const [reference, amount, dueOn] of rows) {
    ids[reference] = (await make.receivable(customerId, { reference, amount, issuedOn: '2026-09-01', dueOn })).id;
  }
}, 120_000);
afterAll(() => server?.close());

/** A scan on the instance whose today is that day (none may judge a day after its today). */
async function scan(instance: ServerProcess | null, asOf: string) {
  return (await (instance ? on(instance, finance) : finance.client).runOverdueScan({ asOf })).runOverdueScan;
}

async function receivable(reference: string, client: Client = finance.client) {
  const { receivable } = await client.receivableDisputes({ id: ids[reference] });
  return receivable!;
}

/** Every event of the customer, as "type ref stage-or-state amount", in stream order. */
async function events(client: Client = finance.client) {
  const { overdueEvents } = await client.disputeEvents({ first: 200, filter: { customerId } });
  return overdueEvents.nodes.map((e) => [e.type, e.receivable?.reference ?? '-', e.stage ?? e.state ?? '-', e.amount ?? e.outstanding ?? '-'].join(' '));
}

/** Rows that a refused call must leave as they were. */
async function ledgerState() {
  return server.sql(
    `select (select count(*) from dispute)::int as disputes, (select count(*) from receivable_credit)::int as credits,
            (select count(*) from overdue_event)::int as events,
            (select string_agg(outstanding::text || '/' || credited_amount::text, ',' order by reference) from receivable) as receivables,
            (select string_agg(state || coalesce(outcome, ''), ',' order by opened_at, id) from dispute) as states`,
  );
}

describe('day 1 (2026-10-06): opening disputes', () => {
  test('the first scan raises RA RB RC RD RF into stage 1', async () => {
    expect(await scan(null, DAY1)).toMatchObject({ becameOverdue: 5, escalated: 0, cleared: 0 });
  });

  test('SALES opens on an own customer, FINANCE on any; amounts up to what is outstanding and not yet disputed', async () => {
    const opened = (
      await sales.client.openDispute({ input: { receivableId: ids.RA, amount: '1000.00', category: 'PRICE', reason: 'price list of 2025 applied' } })
    ).openDispute;
    expect(opened).toMatchObject({
      amount: '1000.00',
      category: 'PRICE',
      state: 'OPEN',
      openedOn: DAY1,
      openedBy: { id: sales.id },
      outcome: null,
      creditedAmount: '0.00',
      resolvedOn: null,
      resolvedBy: null,
      receivable: { reference: 'RA' },
      customer: { id: customerId },
    });
    disputeOf.RA = opened.id;
    const open = async (ref: string, amount: string, category: 'QUALITY' | 'QUANTITY' | 'DELIVERY' | 'NOT_ORDERED', client: Client) =>
      (disputeOf[ref] = (await client.openDispute({ input: { receivableId: ids[ref], amount, category, reason: `${ref} contested` } })).openDispute.id);
    await open('RB', '600.00', 'QUALITY', finance.client);
    await open('RC', '200.00', 'QUANTITY', sales.client);
    await open('RD', '400.00', 'DELIVERY', finance.client);
    await open('RE', '300.00', 'NOT_ORDERED', sales.client);
    // Fully disputed receivables keep their stage: opening changes no alarm.
    expect((await receivable('RA')).overdueStage).toBe(1);
    expect(await receivable('RC')).toMatchObject({ outstanding: '500.00', disputedAmount: '200.00', creditedAmount: '0.00', overdueStage: 1 });
  });

  test('bad input is refused with a typed reason and changes nothing', async () => {
    const before = await ledgerState();
    // RA is fully disputed: nothing is left to dispute.
    let e = await rejection(finance.client.openDispute({ input: { receivableId: ids.RA, amount: '0.01', category: 'OTHER', reason: 'more' } }));
    expect([e.code, e.reason, e.field]).toEqual(['BAD_USER_INPUT', 'DISPUTE_EXCEEDS_OUTSTANDING', 'input.amount']);
    // RC: 500.00 outstanding, 200.00 disputed: at most 300.00 more.
    e = await rejection(finance.client.openDispute({ input: { receivableId: ids.RC, amount: '300.01', category: 'OTHER', reason: 'more' } }));
    expect([e.code, e.reason]).toEqual(['BAD_USER_INPUT', 'DISPUTE_EXCEEDS_OUTSTANDING']);
    e = await rejection(finance.client.openDispute({ input: { receivableId: ids.RC, amount: '0.00', category: 'OTHER', reason: 'nothing' } }));
    expect([e.code, e.reason, e.field]).toEqual(['BAD_USER_INPUT', 'OUT_OF_RANGE', 'input.amount']);
    e = await rejection(finance.client.openDispute({ input: { receivableId: ids.RF, amount: '-1.00', category: 'OTHER', reason: 'negative' } }));
    expect(e.code).toBe('BAD_USER_INPUT');
    e = await rejection(finance.client.openDispute({ input: { receivableId: ids.RF, amount: '10.00', category: 'OTHER', reason: '   ' } }));
    expect([e.code, e.reason, e.field]).toEqual(['BAD_USER_INPUT', 'TEXT_LENGTH', 'input.reason']);
    e = await rejection(
      finance.client.openDispute({ input: { receivableId: '00000000-0000-4000-8000-000000000000', amount: '10.00', category: 'OTHER', reason: 'who?' } }),
    );
    expect([e.code, e.field]).toEqual(['NOT_FOUND', 'input.receivableId']);
    // Another salesperson's customer does not exist for S2; managers do not open disputes; salespeople do not resolve them.
    e = await rejection(otherSales.client.openDispute({ input: { receivableId: ids.RF, amount: '10.00', category: 'OTHER', reason: 'not mine' } }));
    expect(e.code).toBe('NOT_FOUND');
    e = await rejection(manager.client.openDispute({ input: { receivableId: ids.RF, amount: '10.00', category: 'OTHER', reason: 'manager' } }));
    expect(e.code).toBe('FORBIDDEN');
    e = await rejection(sales.client.resolveDispute({ id: disputeOf.RB, outcome: 'VALID', note: 'my own customer is right' }));
    expect(e.code).toBe('FORBIDDEN');
    // Resolutions refused before anything is read.
    e = await rejection(finance.client.resolveDispute({ id: disputeOf.RC, outcome: 'PARTIAL', note: 'no amount' }));
    expect([e.code, e.reason, e.field]).toEqual(['BAD_USER_INPUT', 'PARTIAL_AMOUNT_INVALID', 'amount']);
    e = await rejection(finance.client.resolveDispute({ id: disputeOf.RC, outcome: 'PARTIAL', note: 'all of it', amount: '200.00' }));
    expect([e.code, e.reason]).toEqual(['BAD_USER_INPUT', 'PARTIAL_AMOUNT_INVALID']);
    e = await rejection(finance.client.resolveDispute({ id: disputeOf.RC, outcome: 'VALID', note: 'with amount', amount: '10.00' }));
    expect([e.code, e.reason]).toEqual(['BAD_USER_INPUT', 'AMOUNT_ONLY_FOR_PARTIAL']);
    e = await rejection(finance.client.resolveDispute({ id: disputeOf.RC, outcome: 'INVALID', note: '' }));
    expect([e.code, e.reason]).toEqual(['BAD_USER_INPUT', 'TEXT_LENGTH']);
    expect(await ledgerState()).toEqual(before);
  });

  test('SALES isolation: another salesperson sees none of it', async () => {
    expect((await otherSales.client.disputes({ first: 50 })).disputes.totalCount).toBe(0);
    expect((await otherSales.client.dispute({ id: disputeOf.RA })).dispute).toBeNull();
    expect((await otherSales.client.disputeEvents({ first: 50, filter: { types: ['DISPUTE_OPENED', 'DISPUTE_RESOLVED'] } })).overdueEvents.totalCount).toBe(0);
    expect((await otherSales.client.receivableDisputes({ id: ids.RA })).receivable).toBeNull();
    expect((await otherSales.client.agingReport({ asOf: DAY1 })).agingReport).toMatchObject({ total: '0.00', disputed: '0.00' });
    const e = await rejection(otherSales.client.resolveDispute({ id: disputeOf.RA, outcome: 'INVALID', note: 'not mine' }));
    expect(e.code).toBe('FORBIDDEN');
    // The owner sees their customer's disputes, newest first, filtered.
    const own = (await sales.client.disputes({ first: 50, filter: { customerId, state: 'OPEN' } })).disputes;
    expect(own.totalCount).toBe(5);
    expect((await sales.client.disputes({ first: 50, filter: { receivableId: ids.RC } })).disputes.edges.map((e) => e.node.amount)).toEqual(['200.00']);
    expect((await sales.client.dispute({ id: disputeOf.RA })).dispute).toMatchObject({ reason: 'price list of 2025 applied' });
  });
});

describe('day 2 (2026-11-05): escalation held, resolutions', () => {
  test('a fully disputed receivable neither escalates nor becomes overdue; a partly disputed one does', async () => {
    // 100.00 of RA arrived on 10-10, booked today: RA's position is 900.00, still fully disputed (1000.00).
    await on(day2, finance).recordPayment({
      input: {
        customerId,
        amount: '100.00',
        receivedOn: '2026-10-10',
        method: 'BANK_TRANSFER',
        lagReason: 'statement came late',
        allocations: [{ receivableId: ids.RA, amount: '100.00' }],
      },
    });
    expect(await scan(day2, '2026-11-04')).toMatchObject({ becameOverdue: 0, escalated: 2, cleared: 0 }); // RC, RF to 30
    const stages = await Promise.all(['RA', 'RB', 'RC', 'RD', 'RE', 'RF'].map(async (r) => (await receivable(r)).overdueStage));
    expect(stages).toEqual([1, 1, 30, 1, null, 30]);
  });

  test('the disputed slice in the aging report as of 11-04 (hand calculation)', async () => {
    // Positions: RA 900 (1000 − 100), RB 600, RC 500, RD 400, RF 250 (30 days), RE 300 (15 days): all 1–30, total 2950.
    // Disputed: RA min(1000, 900) = 900, RB 600, RC 200, RD 400, RE 300 = 2400. The buckets still count all of it.
    const { agingReport } = await finance.client.agingReport({ asOf: '2026-11-04' });
    expect(agingReport).toMatchObject({ total: '2950.00', current: '0.00', d1to30: '2950.00', d31to60: '0.00', disputed: '2400.00', overdueCount: 6 });
    expect(agingReport.bySalesperson).toEqual([
      expect.objectContaining({ salesperson: expect.objectContaining({ id: sales.id }), total: '2950.00', disputed: '2400.00' }),
    ]);
    // The salesperson's own report (resolver, not the projected answer) says the same.
    expect((await sales.client.agingReport({ asOf: '2026-11-04' })).agingReport).toMatchObject({ total: '2950.00', disputed: '2400.00' });
  });

  test('resolutions: INVALID (RB), PARTIAL 150.00 (RC), VALID (RD); resolving twice is a CONFLICT that changes nothing', async () => {
    const finance2 = on(day2, finance);
    const manager2 = on(day2, manager);
    const rb = (await manager2.resolveDispute({ id: disputeOf.RB, outcome: 'INVALID', note: 'goods checked: fine' })).resolveDispute;
    expect(rb).toMatchObject({
      state: 'RESOLVED',
      outcome: 'INVALID',
      creditedAmount: '0.00',
      resolvedOn: DAY2,
      resolvedBy: { id: manager.id },
      resolutionNote: 'goods checked: fine',
    });
    const rc = (await finance2.resolveDispute({ id: disputeOf.RC, outcome: 'PARTIAL', note: 'two boxes short', amount: '150.00' })).resolveDispute;
    expect(rc).toMatchObject({ outcome: 'PARTIAL', creditedAmount: '150.00' });
    const rd = (await finance2.resolveDispute({ id: disputeOf.RD, outcome: 'VALID', note: 'never delivered' })).resolveDispute;
    expect(rd).toMatchObject({ outcome: 'VALID', creditedAmount: '400.00' });

    const before = await ledgerState();
    const e = await rejection(finance2.resolveDispute({ id: disputeOf.RD, outcome: 'INVALID', note: 'changed my mind' }));
    expect([e.code, e.reason]).toEqual(['CONFLICT', 'DISPUTE_ALREADY_RESOLVED']);
    expect(await ledgerState()).toEqual(before);

    // The whole history stays on the dispute; the receivables carry the credits.
    expect((await receivable('RD')).disputes).toEqual([
      expect.objectContaining({
        openedOn: DAY1,
        openedBy: expect.objectContaining({ id: finance.id }),
        resolvedOn: DAY2,
        outcome: 'VALID',
        resolutionNote: 'never delivered',
      }),
    ]);
    expect(await receivable('RC')).toMatchObject({ outstanding: '350.00', creditedAmount: '150.00', disputedAmount: '0.00' });
    expect(await receivable('RD')).toMatchObject({ outstanding: '0.00', creditedAmount: '400.00', disputedAmount: '0.00' });
    expect(await receivable('RA')).toMatchObject({ outstanding: '900.00', disputedAmount: '900.00' });
  });

  test('RD, closed by the credit of its VALID dispute, is CREDITED, not PAID; RC, still owed, is PARTIALLY_PAID', async () => {
    const statuses = async (client: Client) =>
      Object.fromEntries(
        (await client.receivables({ first: 50, filter: { customerId } })).receivables.edges.map(({ node: r }) => [r.reference, r.status] as const),
      );
    expect(await statuses(finance.client)).toMatchObject({ RC: 'PARTIALLY_PAID', RD: 'CREDITED' });
    // The status filter and the answer PostgreSQL builds (customer(id) → receivables) agree.
    const credited = (await sales.client.receivables({ first: 50, filter: { customerId, status: ['CREDITED'] } })).receivables.edges;
    expect(credited.map((e) => e.node.reference)).toEqual(['RD']);
    expect((await sales.client.receivables({ first: 50, filter: { customerId, status: ['PAID'] } })).receivables.totalCount).toBe(0);
    const { customer } = await sales.client.customer({ id: customerId });
    expect(customer?.receivables.nodes.find((r) => r.reference === 'RD')?.status).toBe('CREDITED');
  });

  test('the scan of 11-05 puts RB back at the stage it reached (30) and clears the credited RD', async () => {
    expect(await scan(day2, DAY2)).toMatchObject({ becameOverdue: 0, escalated: 1, cleared: 1 });
    const stages = await Promise.all(['RA', 'RB', 'RC', 'RD', 'RE', 'RF'].map(async (r) => (await receivable(r)).overdueStage));
    expect(stages).toEqual([1, 30, 30, null, null, 30]);
  });

  test('every money figure keeps the disputed amounts, with the disputed slice beside them (hand calculation)', async () => {
    // As of 11-05: RA 900, RB 600, RC 350 (500 − 150 credited), RF 250 at 31 days (31–60) = 2100; RE 300 at 16 days (1–30);
    // RD 0 (credited). Total 2400. Disputed: RA 900 + RE 300 = 1200 (RB, RC, RD resolved today: from today nothing of them is disputed).
    const { agingReport } = await finance.client.agingReport({ asOf: DAY2 });
    expect(agingReport).toMatchObject({ total: '2400.00', d1to30: '300.00', d31to60: '2100.00', disputed: '1200.00', overdueCount: 5 });

    // Window 10-01 … 11-05 (36 days). due: all six = 3050; collected by 11-05: RA's 100 → rate 100 / 3050 = 0.032786885;
    // on time: none (10-10 > 10-05). B (09-30) = 3050, S = 0 (issued 09-01), Wo = credits 150 + 400 = 550, E = 2400,
    // C = B + S − Wo − E = 100; E_o = 2400 (all past due on 11-05); CEI = 100 / (100 + 2400) = 0.04; DSO null (no sales).
    const { collectionStats } = await finance.client.collectionStats({ from: '2026-10-01', to: DAY2 });
    expect(collectionStats).toMatchObject({
      due: '3050.00',
      dueCount: 6,
      collected: '100.00',
      collectionRate: 0.032786885,
      onTimeRate: 0,
      sales: '0.00',
      dso: null,
      openingOutstanding: '3050.00',
      closingOutstanding: '2400.00',
      collectedInWindow: '100.00',
      overdueAmount: '2400.00',
      cei: 0.04,
      disputed: '1200.00',
    });
    expect(collectionStats.bySalesperson).toEqual([expect.objectContaining({ closingOutstanding: '2400.00', disputed: '1200.00' })]);
    // SALES isolation of the figures: S2 has nothing of it.
    expect((await otherSales.client.collectionStats({ from: '2026-10-01', to: DAY2 })).collectionStats).toMatchObject({
      closingOutstanding: '0.00',
      disputed: '0.00',
    });

    // The customer's balances: disputed money is still owed and overdue by money; the alarm figure leaves RE out (never raised).
    const { customer } = await on(day2, finance).customer({ id: customerId });
    expect(customer).toMatchObject({ outstanding: '2400.00', overdueAmount: '2400.00', alarmedAmount: '2100.00' });
  });
});

describe('day 3 (2026-12-07): the chase goes on without the disputed', () => {
  test('RB RC RF reach 60; RA stays at 1 while its dispute is open; RE resolved INVALID becomes overdue at once at the stage reached', async () => {
    expect(await scan(day3, DAY3)).toMatchObject({ becameOverdue: 0, escalated: 3, cleared: 0 });
    expect((await receivable('RA')).overdueStage).toBe(1);
    await on(day3, finance).resolveDispute({ id: disputeOf.RE, outcome: 'INVALID', note: 'order confirmation found' });
    // Re-judged as of the engine's date (12-07): 48 days past 10-20 → stage 30, one BECAME_OVERDUE.
    expect((await receivable('RE')).overdueStage).toBe(30);
  });

  test('the weekly analysis and the scorecards show the disputed slice', async () => {
    // Week 11-30 … 12-06: as of 12-06 RA 900 and RE 300 are disputed (RE was resolved on 12-07) = 1200.
    const { publishWeeklyAnalysis } = await on(day3, manager).publishWeeklyAnalysis({ weekOf: '2026-11-30' });
    expect(publishWeeklyAnalysis.aging).toMatchObject({ total: '2400.00', disputed: '1200.00' });
    expect(publishWeeklyAnalysis.aging.bySalesperson).toEqual([expect.objectContaining({ disputed: '1200.00' })]);
    expect(publishWeeklyAnalysis.collections).toMatchObject({ closingOutstanding: '2400.00', disputed: '1200.00' });
    const { scorecards } = await on(day3, manager).scorecards({ from: '2026-10-01', to: DAY2 });
    const s1 = scorecards.find((c) => c.salesperson.id === sales.id)!;
    expect(s1.stats).toMatchObject({ closingOutstanding: '2400.00', disputed: '1200.00' });
  });

  test('the stream has every event once, in order, and the owner sees the dispute events', async () => {
    const all = await events();
    const expected = [
      // 10-06 scan
      'BECAME_OVERDUE RA 1 1000.00',
      'BECAME_OVERDUE RB 1 600.00',
      'BECAME_OVERDUE RC 1 500.00',
      'BECAME_OVERDUE RD 1 400.00',
      'BECAME_OVERDUE RF 1 250.00',
      'DISPUTE_OPENED RA OPEN 1000.00',
      'DISPUTE_OPENED RB OPEN 600.00',
      'DISPUTE_OPENED RC OPEN 200.00',
      'DISPUTE_OPENED RD OPEN 400.00',
      'DISPUTE_OPENED RE OPEN 300.00',
      // 11-04 scan
      'STAGE_ESCALATED RC 30 500.00',
      'STAGE_ESCALATED RF 30 250.00',
      'DISPUTE_RESOLVED RB INVALID 0.00',
      'DISPUTE_RESOLVED RC PARTIAL 150.00',
      'DISPUTE_RESOLVED RD VALID 400.00',
      // 11-05 scan
      'STAGE_ESCALATED RB 30 600.00',
      'CLEARED RD - 0.00',
      // 12-07 scan
      'STAGE_ESCALATED RB 60 600.00',
      'STAGE_ESCALATED RC 60 350.00',
      'STAGE_ESCALATED RF 60 250.00',
      'DISPUTE_RESOLVED RE INVALID 0.00',
      'BECAME_OVERDUE RE 30 300.00',
    ];
    // Within one scan events come by effective due date, then id: compare each scan's group sorted.
    const groups = [5, 5, 2, 3, 2, 3, 2];
    let at = 0;
    for (const size of groups) {
      expect([...all.slice(at, at + size)].sort()).toEqual([...expected.slice(at, at + size)].sort());
      at += size;
    }
    expect(all).toHaveLength(expected.length);
    const own = await sales.client.disputeEvents({ first: 50, filter: { customerId, types: ['DISPUTE_OPENED', 'DISPUTE_RESOLVED'] } });
    expect(own.overdueEvents.nodes.map((e) => [e.type, e.dispute?.id, e.dispute?.state])).toEqual([
      ['DISPUTE_OPENED', disputeOf.RA, 'OPEN'],
      ['DISPUTE_OPENED', disputeOf.RB, 'RESOLVED'],
      ['DISPUTE_OPENED', disputeOf.RC, 'RESOLVED'],
      ['DISPUTE_OPENED', disputeOf.RD, 'RESOLVED'],
      ['DISPUTE_OPENED', disputeOf.RE, 'RESOLVED'],
      ['DISPUTE_RESOLVED', disputeOf.RB, 'RESOLVED'],
      ['DISPUTE_RESOLVED', disputeOf.RC, 'RESOLVED'],
      ['DISPUTE_RESOLVED', disputeOf.RD, 'RESOLVED'],
      ['DISPUTE_RESOLVED', disputeOf.RE, 'RESOLVED'],
    ]);
  });

  test('a full re-judgement agrees with the incremental scans: no event, no stage changes', async () => {
    const rows = await server.sql<{ n: number }>(`select count(*)::int as n from overdue_event`);
    // rejudgeAll is not an API operation: the next scan of the same day judges nothing new.
    expect(await scan(day3, DAY3)).toMatchObject({ becameOverdue: 0, escalated: 0, cleared: 0 });
    expect(await server.sql<{ n: number }>(`select count(*)::int as n from overdue_event`)).toEqual(rows);
  });
});

describe('at the same time', () => {
  test('two disputes of more than is free together: one is opened, the other refused', async () => {
    const finance3 = on(day3, finance);
    const sales3 = on(day3, sales);
    const other = (await make.customer({ code: 'DISPUTES-2' })).id;
    const rx = (await make.receivable(other, { reference: 'RX', amount: '250.00', issuedOn: '2026-12-01', dueOn: '2026-12-31' })).id;
    const results = await Promise.allSettled([
      finance3.openDispute({ input: { receivableId: rx, amount: '200.00', category: 'PRICE', reason: 'one' } }),
      sales3.openDispute({ input: { receivableId: rx, amount: '200.00', category: 'PRICE', reason: 'two' } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected')!;
    expect(refused.reason).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'DISPUTE_EXCEEDS_OUTSTANDING' });
    expect((await finance.client.disputes({ first: 10, filter: { receivableId: rx } })).disputes.totalCount).toBe(1);
  });

  test('payments, disputes and resolutions on one receivable at once all go through, each once', async () => {
    const finance3 = on(day3, finance);
    const manager3 = on(day3, manager);
    const other = (await make.customer({ code: 'DISPUTES-3' })).id;
    const ry = (await make.receivable(other, { reference: 'RY', amount: '1000.00', issuedOn: '2026-12-01', dueOn: '2026-12-31' })).id;
    const first = (await finance3.openDispute({ input: { receivableId: ry, amount: '100.00', category: 'OTHER', reason: 'first' } })).openDispute.id;
    const settled = await Promise.allSettled([
      finance3.recordPayment({
        input: { customerId: other, amount: '50.00', receivedOn: DAY3, method: 'CASH', allocations: [{ receivableId: ry, amount: '50.00' }] },
      }),
      finance3.openDispute({ input: { receivableId: ry, amount: '200.00', category: 'OTHER', reason: 'second' } }),
      manager3.resolveDispute({ id: first, outcome: 'PARTIAL', note: 'half', amount: '50.00' }),
      finance3.recordPayment({
        input: { customerId: other, amount: '25.00', receivedOn: DAY3, method: 'CASH', allocations: [{ receivableId: ry, amount: '25.00' }] },
      }),
    ]);
    // Before the dispute took the customer's lock first, a booking and a dispute deadlocked here (40P01).
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    // 1000 − 50 − 25 paid − 50 credited = 875; open: the second dispute (200).
    expect((await finance.client.receivableDisputes({ id: ry })).receivable).toMatchObject({
      outstanding: '875.00',
      creditedAmount: '50.00',
      disputedAmount: '200.00',
    });
    const { overdueEvents } = await finance.client.disputeEvents({ first: 50, filter: { customerId: other } });
    expect(overdueEvents.nodes.map((e) => `${e.type} ${e.state}`).sort()).toEqual(['DISPUTE_OPENED OPEN', 'DISPUTE_OPENED OPEN', 'DISPUTE_RESOLVED PARTIAL']);
  });

  test('a DISPUTED call logged from a phone opens the dispute in the same transaction, once however often the phone retries', async () => {
    const sales3 = on(day3, sales);
    const other = (await make.customer({ code: 'DISPUTES-4' })).id;
    const rz = (await make.receivable(other, { reference: 'RZ', amount: '400.00', issuedOn: '2026-12-01', dueOn: '2026-12-31' })).id;
    const input = {
      customerId: other,
      receivableIds: [rz],
      kind: 'CALL' as const,
      outcome: 'DISPUTED' as const,
      occurredAt: '2026-12-06T02:00:00.000Z', // Sunday 10:00 in Shanghai: yesterday for the day-3 server
      idempotencyKey: 'phone-s1-rz-1',
      dispute: { receivableId: rz, amount: '80.00', category: 'QUALITY', reason: 'two units scratched' },
    };
    const first = (await sales3.logCollectionActivity({ input })).logCollectionActivity;
    const again = (await sales3.logCollectionActivity({ input })).logCollectionActivity;
    expect(again.id).toBe(first.id);
    // Judged at once after the call committed, as after openDispute: the engine's mark of the change ('-infinity') is gone.
    const [state] = await server.sql<{ next: string | null }>('select next_judgement_on::text as next from receivable_overdue_state where receivable_id = $1', [
      rz,
    ]);
    expect(state.next).not.toBe('-infinity');
    const { disputes } = await sales.client.disputes({ first: 10, filter: { receivableId: rz } });
    expect(disputes.edges.map((e) => [e.node.amount, e.node.category, e.node.openedBy.id, e.node.state])).toEqual([['80.00', 'QUALITY', sales.id, 'OPEN']]);
    const { overdueEvents } = await sales.client.disputeEvents({ first: 10, filter: { customerId: other } });
    expect(overdueEvents.nodes.map((e) => `${e.type} ${e.amount}`)).toEqual(['DISPUTE_OPENED 80.00']);
    // A manager logs calls but does not open disputes: the whole call is refused, nothing stored.
    const refused = await rejection(on(day3, manager).logCollectionActivity({ input: { ...input, idempotencyKey: 'manager-1' } }));
    expect(refused.code).toBe('FORBIDDEN');
    expect((await sales.client.disputes({ first: 10, filter: { receivableId: rz } })).disputes.totalCount).toBe(1);
  });
});

describe("the engine's own record of what disputes freeze", () => {
  test('every dispute, opened through any path, has its freeze in overdue_freeze: its amount, from the day opened until the day resolved', async () => {
    const freezes = await server.sql<{ row: string }>(
      `select concat_ws(' ', f.receivable_id, f.amount, f.from_on, f.until_on) as row from overdue_freeze f order by f.source_id`,
    );
    const disputes = await server.sql<{ row: string }>(
      `select concat_ws(' ', d.receivable_id, d.amount, d.opened_on, d.resolved_on) as row from dispute d order by d.id`,
    );
    expect(freezes.length).toBeGreaterThan(8);
    expect(freezes).toEqual(disputes);
    // The resolved ones end on their resolution day; the open ones (RA, RZ) have no end.
    const open = await server.sql<{ n: number }>(`select count(*)::int as n from overdue_freeze where until_on is null`);
    const openDisputes = await server.sql<{ n: number }>(`select count(*)::int as n from dispute where state = 'OPEN'`);
    expect(open).toEqual(openDisputes);
  });
});
