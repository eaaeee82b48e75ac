/**
 * The seed case through the analytics: due 1 January 2027 (a holiday, so effectively
 * Monday the 4th), the money arrived on 31 December, finance books it on 4 January.
 * The salesperson is on time, nothing lingers overdue, the collection rate is 100%.
 * Then the weekly schedule: several instances starting at once store one snapshot.
 */
import WebSocket from 'ws';
import { createClient } from '../../sdk/index.js';
import { factories } from '../helpers/factories';
import { startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let finance: TestUser;
let manager: TestUser;
let sales: TestUser;
let receivableId: string;

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: '2027-01-04', WEEKLY_ANALYSIS_AT: 'off' });
  finance = await server.createUser('FINANCE');
  manager = await server.createUser('MANAGER');
  sales = await server.createUser('SALES', 'Seed Sales');
  const make = factories(server, { as: finance.client, today: '2027-01-04' });
  await make.as(server.admin).calendarDay('2027-01-01', 'HOLIDAY', "New Year's Day");
  const { customer, receivable } = await make.customerWithReceivable(
    { reference: 'INV-SEED', amount: '1000.00', issuedOn: '2026-12-01', dueOn: '2027-01-01' },
    { code: 'SEED', name: 'Seed customer', ownerId: sales.id, creditTermDays: 31, creditLimit: '5000.00' },
  );
  receivableId = receivable.id;
  expect(receivable.effectiveDueOn).toBe('2027-01-04');
  // A scan judging the 5th before the booking arrives raises the alarm (on an instance whose today is the 5th) …
  const fifth = await server.startInstance({ CLOCK_DATE: '2027-01-05', WEEKLY_ANALYSIS_AT: 'off' });
  const onFifth = createClient({ url: fifth.url, token: finance.token, webSocketImpl: WebSocket });
  expect((await onFifth.runOverdueScan({ asOf: '2027-01-05' })).runOverdueScan.becameOverdue).toBe(1);
  await fifth.stop();
  // … and the booking on the 4th of money that arrived on 31 December retracts it.
  const payment = await make.payment(customer.id, { amount: '1000.00', receivedOn: '2026-12-31' });
  expect(payment.bookingLagDays).toBe(1);
});
afterAll(() => server?.close());

test('collected on time: collection rate and on-time rate 1 for the salesperson and the company', async () => {
  // CEI is undefined (null) in January: nothing was open at its start, nothing issued or collected in it.
  for (const client of [manager.client, sales.client]) {
    const { collectionStats } = await client.collectionStats({ from: '2027-01-01', to: '2027-01-31', salespersonId: sales.id });
    expect(collectionStats).toMatchObject({
      due: '1000.00',
      collected: '1000.00',
      collectionRate: 1,
      onTimeRate: 1,
      overdueAmount: '0.00',
      overdueCount: 0,
      cei: null,
    });
  }
  // December: the money arrived in it and closes the receivable, which was not due yet.
  const december = (await manager.client.collectionStats({ from: '2026-12-01', to: '2026-12-31' })).collectionStats;
  expect(december).toMatchObject({ due: '0.00', sales: '1000.00', collectedInWindow: '1000.00', closingOutstanding: '0.00', dso: 0 });
});

test('no lingering overdue: aging shows nothing open from 31 December, the alarm is cleared', async () => {
  expect((await manager.client.agingReport({ asOf: '2026-12-30' })).agingReport).toMatchObject({ total: '1000.00', current: '1000.00', overdueCount: 0 });
  for (const asOf of ['2026-12-31', '2027-01-04', '2027-01-05', '2027-02-28']) {
    expect((await manager.client.agingReport({ asOf })).agingReport).toMatchObject({ total: '0.00', overdueCount: 0 });
  }
  const { receivable } = await finance.client.receivable({ id: receivableId });
  expect(receivable).toMatchObject({ status: 'PAID', overdueStage: null });
});

test('a January collection-rate goal counts the salesperson as on track at 100%', async () => {
  const { createGoal } = await manager.client.createGoal({
    input: { metric: 'COLLECTION_RATE', target: '0.95', period: 'MONTH', periodStart: '2027-01-01', scope: 'EVERY_SALESPERSON' },
  });
  // January is running (today is the 4th): measured 1–4 January.
  expect(createGoal.progress).toEqual([
    {
      salesperson: { id: sales.id, name: 'Seed Sales' },
      actual: '1.000000',
      attainment: 1,
      status: 'ON_TRACK',
      measuredFrom: '2027-01-01',
      measuredTo: '2027-01-04',
    },
  ]);
  const { scorecards } = await sales.client.scorecards({ from: '2027-01-01', to: '2027-01-31' });
  expect(scorecards).toMatchObject([{ salesperson: { id: sales.id }, score: 1, rank: 1 }]);
});

test('the weekly schedule: instances starting together on Monday store the past week once', async () => {
  expect(await server.sql('select week_start from weekly_analysis')).toEqual([]);
  // Today is Monday 4 January: the week 28 December – 3 January is due at MON 00:00.
  const instances = await Promise.all([1, 2, 3].map(() => server.startInstance({ CLOCK_DATE: '2027-01-04', WEEKLY_ANALYSIS_AT: 'MON 00:00' })));
  let rows: { week_start: string; trigger: string }[] = [];
  for (let i = 0; i < 100 && rows.length === 0; i++) {
    await new Promise((done) => setTimeout(done, 100));
    rows = await server.sql(`select week_start::text, trigger from weekly_analysis`);
  }
  await new Promise((done) => setTimeout(done, 500));
  rows = await server.sql(`select week_start::text, trigger from weekly_analysis`);
  expect(rows).toEqual([{ week_start: '2026-12-28', trigger: 'SCHEDULE' }]);
  await Promise.all(instances.map((i) => i.stop()));

  const { weeklyAnalysis } = await manager.client.weeklyAnalysis({ weekOf: '2027-01-01' });
  // As of Sunday 3 January the receivable was paid (money arrived 31 December): nothing outstanding; the payment was
  // received in that week; nothing was booked in it (the booking is on the 4th).
  expect(weeklyAnalysis).toMatchObject({
    weekStart: '2026-12-28',
    trigger: 'SCHEDULE',
    publishedBy: null,
    aging: { total: '0.00' },
    received: '1000.00',
    overdueAmount: '0.00',
    bookingLag: { payments: 0 },
  });
});
