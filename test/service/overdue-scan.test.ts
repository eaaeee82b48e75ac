/**
 * The overdue scan in-process: one set-based statement judges every receivable as of a
 * business date into the stages 1/30/60/90 (days past the effective due date), counting
 * money by the date it arrived, and writes exactly one event per transition.
 *
 * No holidays, no grace: effective due = due date (all due dates are weekdays).
 *
 *  ref  amount   due         money                              as of 1 April        as of 1 May
 *  A    1000.00  Mon 03-01   –                                  31 d → stage 30      61 d → 60
 *  B     200.00  Wed 03-31   –                                   1 d → stage 1       31 d → 30
 *  C     300.00  Thu 04-01   –                                   0 d, not overdue    30 d → 30 (enters directly)
 *  D     250.00  Fri 01-01   –                                  90 d → stage 90     120 d, stays 90
 *  E     500.00  Mon 03-01   500.00 arrived 02-26 (before due)  paid                paid
 *  F    1000.00  Mon 02-01   400.00 arrived 01-20               59 d, 600.00 → 30   89 d → 60
 */
import { openServiceScope, type ServiceScope } from '../helpers/service-scope';

let scope: ServiceScope;
const ids: Record<string, string> = {};

beforeAll(async () => {
  scope = await openServiceScope({ today: '2027-01-20' });
  const sales = await scope.createUser('SALES');
  const customerId = (await scope.make.customer(sales)).id;
  for (const [reference, amount, dueOn] of [
    ['A', '1000.00', '2027-03-01'],
    ['B', '200.00', '2027-03-31'],
    ['C', '300.00', '2027-04-01'],
    ['D', '250.00', '2027-01-01'],
    ['E', '500.00', '2027-03-01'],
    ['F', '1000.00', '2027-02-01'],
  ]) {
    ids[reference] = (await scope.make.receivable(customerId, { reference, amount, dueOn, issuedOn: '2026-12-01' })).id;
  }
  // Each payment is booked the day it arrives.
  await scope.make.payment(customerId, { amount: '400.00', allocations: [{ receivableId: ids.F, amount: '400.00' }] });
  scope.setToday('2027-02-26');
  await scope.make.payment(customerId, { amount: '500.00', allocations: [{ receivableId: ids.E, amount: '500.00' }] });
});
afterAll(() => scope?.close());

async function stages(): Promise<Record<string, number | null>> {
  const rows = await scope.sql<{ reference: string; stage: number | null }>(
    `select r.reference, o.stage from receivable r left join receivable_alarm o on o.receivable_id = r.id order by r.reference`,
  );
  return Object.fromEntries(rows.map((r) => [r.reference, r.stage]));
}

test('nothing has fallen overdue from the bookings alone', async () => {
  expect(await scope.overdueEvents()).toEqual([]);
});

test('as of 1 April: four receivables enter the stage they reached, one event each', async () => {
  scope.setToday('2027-04-01');
  const result = await scope.unit().services.overdue.scan();
  expect(result).toMatchObject({ asOf: '2027-04-01', ran: true, becameOverdue: 4, escalated: 0, cleared: 0, overdueCount: 4 });
  // In the order of their effective due dates.
  expect(await scope.overdueEvents()).toEqual([
    { type: 'BECAME_OVERDUE', reference: 'D', stage: 90, previousStage: null, daysOverdue: 90, outstanding: '250.00', asOf: '2027-04-01' },
    { type: 'BECAME_OVERDUE', reference: 'F', stage: 30, previousStage: null, daysOverdue: 59, outstanding: '600.00', asOf: '2027-04-01' },
    { type: 'BECAME_OVERDUE', reference: 'A', stage: 30, previousStage: null, daysOverdue: 31, outstanding: '1000.00', asOf: '2027-04-01' },
    { type: 'BECAME_OVERDUE', reference: 'B', stage: 1, previousStage: null, daysOverdue: 1, outstanding: '200.00', asOf: '2027-04-01' },
  ]);
  expect(await stages()).toEqual({ A: 30, B: 1, C: null, D: 90, E: null, F: 30 });
});

test('as of 1 May: three escalate, C enters stage 30 directly, D stays at 90 without an event', async () => {
  scope.setToday('2027-05-01');
  const result = await scope.unit().services.overdue.scan();
  expect(result).toMatchObject({ asOf: '2027-05-01', ran: true, becameOverdue: 1, escalated: 3, cleared: 0, overdueCount: 5 });
  expect((await scope.overdueEvents()).slice(4)).toEqual([
    { type: 'STAGE_ESCALATED', reference: 'F', stage: 60, previousStage: 30, daysOverdue: 89, outstanding: '600.00', asOf: '2027-05-01' },
    { type: 'STAGE_ESCALATED', reference: 'A', stage: 60, previousStage: 30, daysOverdue: 61, outstanding: '1000.00', asOf: '2027-05-01' },
    { type: 'STAGE_ESCALATED', reference: 'B', stage: 30, previousStage: 1, daysOverdue: 31, outstanding: '200.00', asOf: '2027-05-01' },
    { type: 'BECAME_OVERDUE', reference: 'C', stage: 30, previousStage: null, daysOverdue: 30, outstanding: '300.00', asOf: '2027-05-01' },
  ]);
  expect(await stages()).toEqual({ A: 60, B: 30, C: 30, D: 90, E: null, F: 60 });
});

test('scanning the same day again changes nothing and writes no event; an earlier day is refused', async () => {
  const services = scope.unit().services;
  expect(await services.overdue.scan('2027-05-01')).toMatchObject({ judged: 0, becameOverdue: 0, escalated: 0, cleared: 0, overdueCount: 5 });
  // As of 15 April A was in stage 30 and C not overdue: the alarm state does not go back in time.
  await expect(services.overdue.scan('2027-04-15')).rejects.toMatchObject({
    code: 'CONFLICT',
    reason: 'SCAN_DATE_BEFORE_LAST_SCAN',
    field: 'asOf',
    details: { lastScanOn: '2027-05-01' },
  });
  expect(await scope.overdueEvents()).toHaveLength(8);
  expect(await stages()).toEqual({ A: 60, B: 30, C: 30, D: 90, E: null, F: 60 });
});
