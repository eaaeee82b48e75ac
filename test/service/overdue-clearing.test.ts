/**
 * What retracts or holds back an overdue alarm, in-process: money that arrived in time
 * but was booked late clears it (judged by `received_on`, not the booking), a void raises
 * it again, and a salesperson's payment notice holds it for the day it is reported and
 * PAYMENT_NOTICE_HOLD_DAYS (3) working days more.
 */
import { DayKind } from '../../server/core/business-calendar';
import type { Principal } from '../../server/core/auth';
import { openServiceScope, type ServiceScope } from '../helpers/service-scope';

describe('the seed case: due Friday 1 January (a holiday), money arrived Thursday 31 December, booked Tuesday 5 January', () => {
  let scope: ServiceScope;
  let finance: Principal;
  let seed: { customerId: string; receivableId: string };
  let partly: { customerId: string; receivableId: string };

  beforeAll(async () => {
    scope = await openServiceScope({ today: '2027-01-04' });
    finance = await scope.createUser('FINANCE');
    const sales = await scope.createUser('SALES');
    await scope.unit().services.calendar.setDay('2027-01-01', DayKind.HOLIDAY, "New Year's Day");
    const seedCustomer = await scope.make.customer(sales, { code: 'SEED' });
    const seedReceivable = await scope.make.receivable(seedCustomer.id, {
      reference: 'INV-SEED',
      amount: '1000.00',
      issuedOn: '2026-12-01',
      dueOn: '2027-01-01',
    });
    seed = { customerId: seedCustomer.id, receivableId: seedReceivable.id };
    const partlyCustomer = await scope.make.customer(sales, { code: 'PARTLY' });
    const partlyReceivable = await scope.make.receivable(partlyCustomer.id, {
      reference: 'INV-PARTLY',
      amount: '400.00',
      issuedOn: '2026-12-01',
      dueOn: '2026-12-30',
    });
    partly = { customerId: partlyCustomer.id, receivableId: partlyReceivable.id };
  });
  afterAll(() => scope?.close());

  test('effective due Monday 4 January: not overdue on the 4th, overdue judging the 5th', async () => {
    const { services } = scope.unit();
    expect((await services.receivables.getVisible(finance, seed.receivableId)).effectiveDueOn).toBe('2027-01-04');
    // On the 4th only INV-PARTLY (due Wednesday 30 December) is overdue.
    expect(await services.overdue.scan('2027-01-04')).toMatchObject({ becameOverdue: 1, overdueCount: 1 });
    expect(await scope.overdueEvents([seed.receivableId])).toEqual([]);
    // On the 5th, before finance books anything, the scan raises the seed alarm (a scan never judges a day after today).
    await expect(services.overdue.scan('2027-01-05')).rejects.toMatchObject({ reason: 'DATE_IN_FUTURE', field: 'asOf' });
    scope.setToday('2027-01-05');
    expect(await services.overdue.scan('2027-01-05')).toMatchObject({ becameOverdue: 1, escalated: 0, overdueCount: 2 });
    expect(await scope.overdueEvents([seed.receivableId])).toEqual([
      { type: 'BECAME_OVERDUE', reference: 'INV-SEED', stage: 1, previousStage: null, daysOverdue: 1, outstanding: '1000.00', asOf: '2027-01-05' },
    ]);
  });

  test('booking on the 5th the 1000.00 that arrived on the 31st clears the alarm with one CLEARED event', async () => {
    const payment = await scope.make.payment(seed.customerId, { amount: '1000.00', receivedOn: '2026-12-31' }, finance);
    expect(payment.bookingLagDays).toBe(2); // Monday the 4th and Tuesday the 5th are the working days after the 31st
    expect(await scope.overdueEvents([seed.receivableId])).toEqual([
      { type: 'BECAME_OVERDUE', reference: 'INV-SEED', stage: 1, previousStage: null, daysOverdue: 1, outstanding: '1000.00', asOf: '2027-01-05' },
      { type: 'CLEARED', reference: 'INV-SEED', stage: null, previousStage: 1, daysOverdue: 1, outstanding: '0.00', asOf: '2027-01-05' },
    ]);
    // A rescan of the 5th agrees: the money was there in time.
    expect(await scope.unit().services.overdue.scan('2027-01-05')).toMatchObject({ becameOverdue: 0, cleared: 0, overdueCount: 1 });

    // The seed payment stays with its customer: voiding it brings the alarm back.
    await scope.unit().services.payments.void(finance, payment.id, 'bank reversed the transfer');
    expect((await scope.overdueEvents([seed.receivableId])).slice(2)).toEqual([
      { type: 'BECAME_OVERDUE', reference: 'INV-SEED', stage: 1, previousStage: null, daysOverdue: 1, outstanding: '1000.00', asOf: '2027-01-05' },
    ]);
  });

  test('300.00 of 400.00 that arrived in time leaves 100.00 outstanding: the alarm stays, no event', async () => {
    const payment = await scope.make.payment(partly.customerId, { amount: '300.00', receivedOn: '2026-12-30' }, finance);
    expect(payment.bookingLagDays).toBe(3); // Thursday 31 December, Monday 4 and Tuesday 5 January: within the limit
    expect(await scope.overdueEvents([partly.receivableId])).toEqual([
      { type: 'BECAME_OVERDUE', reference: 'INV-PARTLY', stage: 1, previousStage: null, daysOverdue: 5, outstanding: '400.00', asOf: '2027-01-04' },
    ]);
  });
});

describe('a payment notice holds the alarm: reported Monday 8 March, held through Thursday 11 March', () => {
  let scope: ServiceScope;
  let sales: Principal;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    scope = await openServiceScope({ today: '2027-03-08' });
    sales = await scope.createUser('SALES');
    const customerId = (await scope.make.customer(sales)).id;
    ids.N1 = (await scope.make.receivable(customerId, { reference: 'N1', amount: '800.00', dueOn: '2027-03-03' })).id;
    ids.N2 = (await scope.make.receivable(customerId, { reference: 'N2', amount: '300.00', dueOn: '2027-03-04' })).id;
  });
  afterAll(() => scope?.close());

  test('a notice reported before the scan keeps N2 from ever raising the alarm; N1 falls overdue', async () => {
    const notice = await scope.unit().services.receivables.reportPaymentNotice(sales, {
      receivableId: ids.N2,
      claimedPaidOn: '2027-03-05',
      note: 'customer sent the remittance advice',
    });
    expect(notice.createdOn).toBe('2027-03-08');
    expect(notice.holdUntil).toBe('2027-03-11'); // today and 3 working days more
    expect(await scope.unit().services.overdue.scan()).toMatchObject({ asOf: '2027-03-08', becameOverdue: 1, overdueCount: 1 });
    expect(await scope.overdueEvents()).toEqual([
      { type: 'BECAME_OVERDUE', reference: 'N1', stage: 1, previousStage: null, daysOverdue: 5, outstanding: '800.00', asOf: '2027-03-08' },
    ]);
  });

  test('a notice on the overdue N1 clears its alarm at once', async () => {
    await scope.unit().services.receivables.reportPaymentNotice(sales, { receivableId: ids.N1, claimedPaidOn: '2027-03-04', note: 'paid by cheque' });
    expect((await scope.overdueEvents()).slice(1)).toEqual([
      { type: 'CLEARED', reference: 'N1', stage: null, previousStage: 1, daysOverdue: 5, outstanding: '800.00', asOf: '2027-03-08' },
    ]);
  });

  test('held through Thursday 11 March; on Friday 12 March both alarms are raised', async () => {
    scope.setToday('2027-03-11');
    expect(await scope.unit().services.overdue.scan()).toMatchObject({ becameOverdue: 0, cleared: 0, overdueCount: 0 });
    expect(await scope.overdueEvents()).toHaveLength(2);

    scope.setToday('2027-03-12');
    expect(await scope.unit().services.overdue.scan()).toMatchObject({ asOf: '2027-03-12', becameOverdue: 2, overdueCount: 2 });
    expect((await scope.overdueEvents()).slice(2)).toEqual([
      { type: 'BECAME_OVERDUE', reference: 'N1', stage: 1, previousStage: null, daysOverdue: 9, outstanding: '800.00', asOf: '2027-03-12' },
      { type: 'BECAME_OVERDUE', reference: 'N2', stage: 1, previousStage: null, daysOverdue: 8, outstanding: '300.00', asOf: '2027-03-12' },
    ]);
  });
});
