/**
 * Receivables, black-box through the SDK: issuing, effective due dates on the business
 * calendar, write-offs, list filters and pagination, payment notices.
 *
 * Calendar cases use fixed dates in 2027 (2027-01-01 is a Friday); each case has a week
 * of its own because calendar overrides apply to the whole database.
 */
import { randomUUID } from 'node:crypto';
import { BusinessCalendar } from '../../server/core/business-calendar';
import { addDays, daysBetween, isoWeekday } from '../../server/core/local-date';
import { Client, CreateReceivableInput } from '../../sdk/index.js';
import { companyToday, factories, uniqueLetters, type Factories } from '../helpers/factories';
import { expectApiError, startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let sales: TestUser;
let otherSales: TestUser;
let finance: TestUser;
let manager: TestUser;
let today: string;
let make: Factories;

beforeAll(async () => {
  server = await startTestServer();
  [sales, otherSales, finance, manager] = await Promise.all([
    server.createUser('SALES', 'Rec Sales'),
    server.createUser('SALES', 'Rec Other Sales'),
    server.createUser('FINANCE', 'Rec Finance'),
    server.createUser('MANAGER', 'Rec Manager'),
  ]);
  today = companyToday();
  make = factories(server, { as: finance.client, today, defaults: { customer: { name: 'Receivable Co' } } });
});
afterAll(() => server.close());

async function receivableCount(customerId: string): Promise<number> {
  const [row] = await server.sql<{ n: number }>('select count(*)::int as n from receivable where customer_id = $1', [customerId]);
  return row.n;
}

async function effectiveOf(id: string): Promise<string> {
  const { receivable } = await finance.client.receivable({ id });
  return receivable!.effectiveDueOn;
}

describe('createReceivable', () => {
  test('dueOn defaults to issuedOn + creditTermDays; the salesperson is the owner at issue', async () => {
    const customer = await make.customer({ ownerId: sales.id, creditTermDays: 30 });
    const created = await make.receivable(customer.id, {
      reference: '  INV-2027-001 ',
      amount: '1234.5',
      issuedOn: '2027-03-01',
    });
    expect(isoWeekday('2027-03-31')).toBe(3);
    expect(created).toMatchObject({
      reference: 'INV-2027-001',
      amount: '1234.50',
      issuedOn: '2027-03-01',
      dueOn: '2027-03-31',
      effectiveDueOn: '2027-03-31',
      outstanding: '1234.50',
      writtenOffAmount: '0.00',
      writtenOffAt: null,
      writeOffReason: null,
      status: 'OPEN',
      overdueStage: null,
      daysOverdue: 0,
      customer: { id: customer.id, code: customer.code, name: 'Receivable Co' },
      salesperson: { id: sales.id, name: 'Rec Sales' },
    });
    const [row] = await server.sql<Record<string, string>>(
      'select salesperson_id, amount::text, outstanding::text, due_on::text, effective_due_on::text from receivable where id = $1',
      [created.id],
    );
    expect(row).toEqual({ salesperson_id: sales.id, amount: '1234.50', outstanding: '1234.50', due_on: '2027-03-31', effective_due_on: '2027-03-31' });

    // Across a month and a year end.
    const long = await make.receivable(customer.id, { reference: 'INV-2027-002', amount: '1.00', issuedOn: '2027-12-15' });
    expect(long.dueOn).toBe('2028-01-14');

    // A zero credit term: due on the day of issue.
    const cash = await make.customer({ ownerId: sales.id, creditTermDays: 0 });
    const sameDay = await make.receivable(cash.id, { reference: 'CASH-1', amount: '5.00', issuedOn: '2027-03-03' });
    expect(sameDay.dueOn).toBe('2027-03-03');
  });

  test('an explicit dueOn wins; dueOn before issuedOn is BAD_USER_INPUT on input.dueOn', async () => {
    const customer = await make.customer({ ownerId: sales.id, creditTermDays: 30 });
    const explicit = await make.receivable(customer.id, {
      reference: 'EXP-1',
      amount: '10.00',
      issuedOn: '2027-03-01',
      dueOn: '2027-03-10',
    });
    expect(explicit.dueOn).toBe('2027-03-10');
    const sameDay = await make.receivable(customer.id, { reference: 'EXP-2', amount: '10.00', issuedOn: '2027-03-01', dueOn: '2027-03-01' });
    expect(sameDay.dueOn).toBe('2027-03-01');

    const before = await receivableCount(customer.id);
    await expectApiError(
      finance.client.createReceivable({ input: { customerId: customer.id, reference: 'EXP-3', amount: '10.00', issuedOn: '2027-03-01', dueOn: '2027-02-28' } }),
      'BAD_USER_INPUT',
      'input.dueOn',
    );
    await expectApiError(
      finance.client.createReceivable({ input: { customerId: customer.id, reference: 'EXP-4', amount: '10.00', issuedOn: '2027-03-01', dueOn: '2027-02-30' } }),
      'BAD_USER_INPUT',
      'input.dueOn',
    );
    await expectApiError(
      finance.client.createReceivable({ input: { customerId: customer.id, reference: 'EXP-5', amount: '10.00', issuedOn: '01/03/2027' } }),
      'BAD_USER_INPUT',
      'input.issuedOn',
    );
    expect(await receivableCount(customer.id)).toBe(before);
  });

  test('amount must be a positive Money; reference 1–60 characters', async () => {
    const customer = await make.customer({ ownerId: sales.id });
    const base = { customerId: customer.id, reference: 'AMT-1', amount: '1.00', issuedOn: '2027-03-01' };
    const cases: [Partial<CreateReceivableInput>, string][] = [
      [{ amount: '0.00' }, 'input.amount'],
      [{ amount: '0' }, 'input.amount'],
      [{ amount: '-5.00' }, 'input.amount'],
      [{ amount: '1.005' }, 'input.amount'],
      [{ amount: 'NaN' }, 'input.amount'],
      [{ amount: '' }, 'input.amount'],
      [{ reference: '' }, 'input.reference'],
      [{ reference: '   ' }, 'input.reference'],
      [{ reference: 'R'.repeat(61) }, 'input.reference'],
    ];
    for (const [override, field] of cases) {
      await expectApiError(finance.client.createReceivable({ input: { ...base, ...override } }), 'BAD_USER_INPUT', field);
    }
    expect(await receivableCount(customer.id)).toBe(0);
    const ok = await make.receivable(base.customerId, { ...base, amount: '0.01', reference: 'R'.repeat(60) });
    expect(ok).toMatchObject({ amount: '0.01', outstanding: '0.01', reference: 'R'.repeat(60) });
  });

  test('a duplicate reference for the same customer is CONFLICT; on another customer it is fine', async () => {
    const first = await make.customer({ ownerId: sales.id });
    const second = await make.customer({ ownerId: otherSales.id });
    await make.receivable(first.id, { reference: 'DUP-1', amount: '10.00', issuedOn: '2027-03-01' });
    await expectApiError(
      finance.client.createReceivable({ input: { customerId: first.id, reference: 'DUP-1', amount: '99.00', issuedOn: '2027-03-02' } }),
      'CONFLICT',
      'input.reference',
    );
    await expectApiError(
      sales.client.createReceivable({ input: { customerId: first.id, reference: ' DUP-1 ', amount: '99.00', issuedOn: '2027-03-02' } }),
      'CONFLICT',
      'input.reference',
    );
    expect(await server.sql('select amount::text from receivable where customer_id = $1', [first.id])).toEqual([{ amount: '10.00' }]);

    const other = await make.receivable(second.id, { reference: 'DUP-1', amount: '20.00', issuedOn: '2027-03-01' });
    expect(other).toMatchObject({ reference: 'DUP-1', amount: '20.00', salesperson: { id: otherSales.id } });
  });

  test('who may issue: SALES on their own customers, FINANCE and ADMIN on any; others not', async () => {
    const mine = await make.customer({ ownerId: sales.id });
    const theirs = await make.customer({ ownerId: otherSales.id });
    const own = await make.as(sales.client).receivable(mine.id, { reference: 'WHO-1', amount: '10.00', issuedOn: '2027-03-01' });
    expect(own.salesperson.id).toBe(sales.id);
    const byAdmin = await make.as(server.admin).receivable(theirs.id, { reference: 'WHO-2', amount: '10.00', issuedOn: '2027-03-01' });
    expect(byAdmin.salesperson.id).toBe(otherSales.id);

    await expectApiError(
      sales.client.createReceivable({ input: { customerId: theirs.id, reference: 'WHO-3', amount: '10.00', issuedOn: '2027-03-01' } }),
      'NOT_FOUND',
      'input.customerId',
    );
    await expectApiError(
      manager.client.createReceivable({ input: { customerId: mine.id, reference: 'WHO-4', amount: '10.00', issuedOn: '2027-03-01' } }),
      'FORBIDDEN',
    );
    await expectApiError(
      finance.client.createReceivable({ input: { customerId: randomUUID(), reference: 'WHO-5', amount: '10.00', issuedOn: '2027-03-01' } }),
      'NOT_FOUND',
      'input.customerId',
    );
    expect(await receivableCount(mine.id)).toBe(1);
    expect(await receivableCount(theirs.id)).toBe(1);
  });
});

describe('effective due date on the business calendar', () => {
  let customerId: string;
  let n = 0;
  const due = async (dueOn: string) => {
    n += 1;
    return make.receivable(customerId, { reference: `CAL-${n}`, amount: '100.00', issuedOn: '2027-01-04', dueOn });
  };

  beforeAll(async () => {
    customerId = (await make.customer({ ownerId: sales.id })).id;
  });

  test('the weekdays used below', () => {
    expect(isoWeekday('2027-01-01')).toBe(5);
    expect(['2027-06-05', '2027-06-12', '2027-06-19', '2027-07-10'].map(isoWeekday)).toEqual([6, 6, 6, 6]);
    expect(['2027-06-07', '2027-06-14', '2027-06-21', '2027-07-12'].map(isoWeekday)).toEqual([1, 1, 1, 1]);
  });

  test('a working day stays; a Saturday or Sunday rolls forward to Monday', async () => {
    expect((await due('2027-06-04')).effectiveDueOn).toBe('2027-06-04');
    expect((await due('2027-06-05')).effectiveDueOn).toBe('2027-06-07');
    expect((await due('2027-06-06')).effectiveDueOn).toBe('2027-06-07');
    expect((await due('2027-06-07')).effectiveDueOn).toBe('2027-06-07');
  });

  test('a Monday HOLIDAY moves a Saturday (and that Monday) to Tuesday', async () => {
    const { setCalendarDay } = await server.admin.setCalendarDay({ date: '2027-06-14', kind: 'HOLIDAY', name: ' Dragon Boat Festival ' });
    expect(setCalendarDay).toEqual({ date: '2027-06-14', working: false, weekend: false, kind: 'HOLIDAY', name: 'Dragon Boat Festival' });
    const saturday = await due('2027-06-12');
    expect(saturday).toMatchObject({ dueOn: '2027-06-12', effectiveDueOn: '2027-06-15' });
    expect((await due('2027-06-14')).effectiveDueOn).toBe('2027-06-15');
    expect((await due('2027-06-11')).effectiveDueOn).toBe('2027-06-11');
    expect((await due('2027-06-15')).effectiveDueOn).toBe('2027-06-15');
  });

  test('a Saturday marked WORKDAY stays that Saturday', async () => {
    const { setCalendarDay } = await server.admin.setCalendarDay({ date: '2027-06-19', kind: 'WORKDAY', name: 'Make-up day' });
    expect(setCalendarDay).toEqual({ date: '2027-06-19', working: true, weekend: true, kind: 'WORKDAY', name: 'Make-up day' });
    expect((await due('2027-06-19')).effectiveDueOn).toBe('2027-06-19');
    expect((await due('2027-06-20')).effectiveDueOn).toBe('2027-06-21');
  });

  test('setCalendarDay after issue recomputes effectiveDueOn; clearCalendarDay reverts it', async () => {
    const saturday = await due('2027-07-10');
    const monday = await due('2027-07-12');
    const wednesday = await due('2027-07-14');
    const friday = await due('2027-07-09');
    expect([saturday, monday, wednesday, friday].map((r) => r.effectiveDueOn)).toEqual(['2027-07-12', '2027-07-12', '2027-07-14', '2027-07-09']);
    const all = async () => Promise.all([saturday, monday, wednesday, friday].map((r) => effectiveOf(r.id)));

    await server.admin.setCalendarDay({ date: '2027-07-12', kind: 'HOLIDAY', name: 'Typhoon' });
    expect(await all()).toEqual(['2027-07-13', '2027-07-13', '2027-07-14', '2027-07-09']);

    // Two holidays in a row.
    await server.admin.setCalendarDay({ date: '2027-07-13', kind: 'HOLIDAY' });
    expect(await all()).toEqual(['2027-07-14', '2027-07-14', '2027-07-14', '2027-07-09']);
    await server.admin.clearCalendarDay({ date: '2027-07-13' });
    expect(await all()).toEqual(['2027-07-13', '2027-07-13', '2027-07-14', '2027-07-09']);

    // The Saturday becomes a working day: due on it means effective on it.
    await server.admin.setCalendarDay({ date: '2027-07-10', kind: 'WORKDAY' });
    expect(await all()).toEqual(['2027-07-10', '2027-07-13', '2027-07-14', '2027-07-09']);

    const { clearCalendarDay } = await server.admin.clearCalendarDay({ date: '2027-07-10' });
    expect(clearCalendarDay).toEqual({ date: '2027-07-10', working: false, weekend: true, kind: null, name: null });
    expect(await all()).toEqual(['2027-07-13', '2027-07-13', '2027-07-14', '2027-07-09']);

    await server.admin.clearCalendarDay({ date: '2027-07-12' });
    expect(await all()).toEqual(['2027-07-12', '2027-07-12', '2027-07-14', '2027-07-09']);

    // A WORKDAY turned into a HOLIDAY (upsert of the same day).
    await server.admin.setCalendarDay({ date: '2027-07-09', kind: 'WORKDAY', name: 'x' });
    const { setCalendarDay } = await server.admin.setCalendarDay({ date: '2027-07-09', kind: 'HOLIDAY', name: 'Closed' });
    expect(setCalendarDay).toEqual({ date: '2027-07-09', working: false, weekend: false, kind: 'HOLIDAY', name: 'Closed' });
    expect(await all()).toEqual(['2027-07-12', '2027-07-12', '2027-07-14', '2027-07-12']);
    await server.admin.clearCalendarDay({ date: '2027-07-09' });
    expect(await all()).toEqual(['2027-07-12', '2027-07-12', '2027-07-14', '2027-07-09']);

    // The stored column follows too (lists and the overdue logic read it).
    const rows = await server.sql<{ id: string; e: string }>(
      'select id, effective_due_on::text as e from receivable where id = any($1::uuid[]) order by due_on',
      [[friday.id, saturday.id, monday.id, wednesday.id]],
    );
    expect(rows.map((r) => r.e)).toEqual(['2027-07-09', '2027-07-12', '2027-07-12', '2027-07-14']);
  });

  test('calendar(from, to) lists every day with working, weekend, kind and name', async () => {
    const { calendar } = await sales.client.calendar({ from: '2027-06-11', to: '2027-06-21' });
    expect(calendar).toEqual([
      { date: '2027-06-11', working: true, weekend: false, kind: null, name: null },
      { date: '2027-06-12', working: false, weekend: true, kind: null, name: null },
      { date: '2027-06-13', working: false, weekend: true, kind: null, name: null },
      { date: '2027-06-14', working: false, weekend: false, kind: 'HOLIDAY', name: 'Dragon Boat Festival' },
      { date: '2027-06-15', working: true, weekend: false, kind: null, name: null },
      { date: '2027-06-16', working: true, weekend: false, kind: null, name: null },
      { date: '2027-06-17', working: true, weekend: false, kind: null, name: null },
      { date: '2027-06-18', working: true, weekend: false, kind: null, name: null },
      { date: '2027-06-19', working: true, weekend: true, kind: 'WORKDAY', name: 'Make-up day' },
      { date: '2027-06-20', working: false, weekend: true, kind: null, name: null },
      { date: '2027-06-21', working: true, weekend: false, kind: null, name: null },
    ]);
    const single = await finance.client.calendar({ from: '2027-06-14', to: '2027-06-14' });
    expect(single.calendar).toHaveLength(1);
    // Across a year end.
    const yearEnd = await manager.client.calendar({ from: '2026-12-31', to: '2027-01-03' });
    expect(yearEnd.calendar.map((d) => [d.date, d.working, d.weekend])).toEqual([
      ['2026-12-31', true, false],
      ['2027-01-01', true, false],
      ['2027-01-02', false, true],
      ['2027-01-03', false, true],
    ]);
  });

  test('calendar with to before from, or too long a range, is BAD_USER_INPUT; only ADMIN sets days', async () => {
    await expectApiError(finance.client.calendar({ from: '2027-06-21', to: '2027-06-11' }), 'BAD_USER_INPUT', 'to');
    await expectApiError(finance.client.calendar({ from: '2027-01-01', to: '2029-12-31' }), 'BAD_USER_INPUT', 'to');
    await expectApiError(finance.client.calendar({ from: '2027-13-01', to: '2027-12-31' }), 'BAD_USER_INPUT', 'from');
    await expectApiError(server.anonymous().calendar({ from: '2027-06-11', to: '2027-06-12' }), 'UNAUTHENTICATED');
    await expectApiError(finance.client.setCalendarDay({ date: '2027-08-02', kind: 'HOLIDAY' }), 'FORBIDDEN');
    await expectApiError(manager.client.clearCalendarDay({ date: '2027-06-14' }), 'FORBIDDEN');
    expect(await server.sql("select kind from calendar_day where day = '2027-08-02'")).toEqual([]);
    expect(await server.sql("select kind from calendar_day where day = '2027-06-14'")).toEqual([{ kind: 'HOLIDAY' }]);
  });
});

describe('writeOffReceivable', () => {
  test('writes off the outstanding amount; a second write-off is CONFLICT', async () => {
    const customer = await make.customer({ ownerId: sales.id });
    const receivable = await make.receivable(customer.id, { reference: 'WO-1', amount: '800.00', issuedOn: '2027-03-01' });
    const before = Date.now();
    const { writeOffReceivable } = await finance.client.writeOffReceivable({ id: receivable.id, reason: '  Customer bankrupt ' });
    expect(writeOffReceivable).toMatchObject({
      id: receivable.id,
      amount: '800.00',
      outstanding: '0.00',
      writtenOffAmount: '800.00',
      writeOffReason: 'Customer bankrupt',
      status: 'WRITTEN_OFF',
      daysOverdue: 0,
      overdueStage: null,
    });
    expect(new Date(writeOffReceivable.writtenOffAt!).getTime()).toBeGreaterThanOrEqual(before - 5_000);

    const { receivable: reread } = await sales.client.receivable({ id: receivable.id });
    expect(reread).toMatchObject({ outstanding: '0.00', writtenOffAmount: '800.00', status: 'WRITTEN_OFF', writeOffReason: 'Customer bankrupt' });
    expect((await finance.client.customer({ id: customer.id })).customer?.outstanding).toBe('0.00');

    await expectApiError(finance.client.writeOffReceivable({ id: receivable.id, reason: 'again' }), 'CONFLICT');
    const [row] = await server.sql<Record<string, string>>(
      'select outstanding::text, written_off_amount::text, write_off_reason from receivable where id = $1',
      [receivable.id],
    );
    expect(row).toEqual({ outstanding: '0.00', written_off_amount: '800.00', write_off_reason: 'Customer bankrupt' });
  });

  test('an empty reason is BAD_USER_INPUT; a SALES user is FORBIDDEN; nothing changes', async () => {
    const customer = await make.customer({ ownerId: sales.id });
    const receivable = await make.receivable(customer.id, { reference: 'WO-2', amount: '50.00', issuedOn: '2027-03-01' });
    await expectApiError(finance.client.writeOffReceivable({ id: receivable.id, reason: '' }), 'BAD_USER_INPUT', 'reason');
    await expectApiError(finance.client.writeOffReceivable({ id: receivable.id, reason: '   ' }), 'BAD_USER_INPUT', 'reason');
    await expectApiError(sales.client.writeOffReceivable({ id: receivable.id, reason: 'my own customer' }), 'FORBIDDEN');
    await expectApiError(manager.client.writeOffReceivable({ id: receivable.id, reason: 'manager' }), 'FORBIDDEN');
    await expectApiError(finance.client.writeOffReceivable({ id: randomUUID(), reason: 'ghost' }), 'NOT_FOUND');
    const { receivable: unchanged } = await finance.client.receivable({ id: receivable.id });
    expect(unchanged).toMatchObject({ outstanding: '50.00', writtenOffAmount: '0.00', writtenOffAt: null, writeOffReason: null, status: 'OPEN' });

    // ADMIN may.
    const { writeOffReceivable } = await server.admin.writeOffReceivable({ id: receivable.id, reason: 'admin' });
    expect(writeOffReceivable).toMatchObject({ status: 'WRITTEN_OFF', writtenOffAmount: '50.00' });
  });

  test('after a partial payment only the rest is written off', async () => {
    const customer = await make.customer({ ownerId: sales.id });
    const receivable = await make.receivable(customer.id, { reference: 'WO-3', amount: '1000.00', issuedOn: addDays(today, -10) });
    await finance.client.recordPayment({
      input: {
        customerId: customer.id,
        amount: '300.00',
        receivedOn: today,
        method: 'BANK_TRANSFER',
        allocations: [{ receivableId: receivable.id, amount: '300.00' }],
      },
    });
    expect((await finance.client.receivable({ id: receivable.id })).receivable).toMatchObject({ status: 'PARTIALLY_PAID', outstanding: '700.00' });

    const { writeOffReceivable } = await finance.client.writeOffReceivable({ id: receivable.id, reason: 'Settled for less' });
    expect(writeOffReceivable).toMatchObject({ amount: '1000.00', outstanding: '0.00', writtenOffAmount: '700.00', status: 'WRITTEN_OFF' });
    const { receivable: reread } = await finance.client.receivableWithAllocations({ id: receivable.id });
    expect(reread!.allocations.map((a) => [a.amount, a.payment.voided])).toEqual([['300.00', false]]);
    expect((await finance.client.customer({ id: customer.id })).customer).toMatchObject({ outstanding: '0.00', creditBalance: '0.00' });
  });

  test('a fully paid receivable has nothing to write off', async () => {
    const customer = await make.customer({ ownerId: sales.id });
    const receivable = await make.receivable(customer.id, { reference: 'WO-4', amount: '40.00', issuedOn: addDays(today, -1) });
    await finance.client.recordPayment({ input: { customerId: customer.id, amount: '40.00', receivedOn: today, method: 'CASH' } });
    await expectApiError(finance.client.writeOffReceivable({ id: receivable.id, reason: 'nothing left' }), 'CONFLICT');
    expect((await finance.client.receivable({ id: receivable.id })).receivable).toMatchObject({ status: 'PAID', writtenOffAmount: '0.00', writtenOffAt: null });
  });
});

describe('receivables list', () => {
  let u: string;
  let salesX: TestUser;
  let salesY: TestUser;
  let custX: string;
  let custY: string;
  const ids: Record<string, string> = {};
  let calendar: BusinessCalendar;

  beforeAll(async () => {
    u = uniqueLetters();
    [salesX, salesY] = await Promise.all([server.createUser('SALES', 'List X'), server.createUser('SALES', 'List Y')]);
    custX = (await make.customer({ ownerId: salesX.id })).id;
    custY = (await make.customer({ ownerId: salesY.id })).id;
    const listed = async (key: string, customerId: string, amount: string, issuedOn: string, dueOn: string) => {
      ids[key] = (await make.receivable(customerId, { reference: `F-${u}-${key}`, amount, issuedOn, dueOn })).id;
    };
    await listed('X1', custX, '100.00', addDays(today, -90), addDays(today, -60));
    await listed('X2', custX, '200.00', addDays(today, -40), addDays(today, -10));
    await listed('X3', custX, '300.00', today, addDays(today, 20));
    await listed('Y1', custY, '400.00', today, addDays(today, 5));
    await listed('Y2', custY, '500.00', addDays(today, -50), addDays(today, -20));
    await finance.client.recordPayment({
      input: {
        customerId: custX,
        amount: '350.00',
        receivedOn: today,
        method: 'BANK_TRANSFER',
        allocations: [
          { receivableId: ids.X2, amount: '50.00' },
          { receivableId: ids.X3, amount: '300.00' },
        ],
      },
    });
    await finance.client.writeOffReceivable({ id: ids.Y2, reason: 'lost' });
    await make.overdueScan();
    // The expected effective due dates follow the business calendar as the API reports it.
    const { calendar: days } = await finance.client.calendar({ from: addDays(today, -100), to: addDays(today, 40) });
    calendar = new BusinessCalendar(new Map(days.filter((d) => d.kind).map((d) => [d.date, d.kind as never])));
  });

  const refs = async (client: Client, filter: object, first = 50) => {
    const { receivables } = await client.receivables({ first, filter });
    expect(receivables.totalCount).toBe(receivables.edges.length);
    return receivables.edges.map((e) => e.node.reference.replace(`F-${u}-`, ''));
  };

  test('customerId and salespersonId, ordered by dueOn', async () => {
    expect(await refs(finance.client, { customerId: custX })).toEqual(['X1', 'X2', 'X3']);
    expect(await refs(finance.client, { customerId: custY })).toEqual(['Y2', 'Y1']);
    expect(await refs(finance.client, { salespersonId: salesY.id })).toEqual(['Y2', 'Y1']);
    expect(await refs(finance.client, { salespersonId: salesX.id, customerId: custY })).toEqual([]);
    // A SALES user sees exactly their own.
    expect(await refs(salesX.client, {})).toEqual(['X1', 'X2', 'X3']);
    expect(await refs(salesY.client, { customerId: custX })).toEqual([]);
  });

  test('status', async () => {
    const x = { salespersonId: salesX.id };
    const y = { salespersonId: salesY.id };
    expect(await refs(finance.client, { ...x, status: ['OPEN'] })).toEqual(['X1']);
    expect(await refs(finance.client, { ...x, status: ['PARTIALLY_PAID'] })).toEqual(['X2']);
    expect(await refs(finance.client, { ...x, status: ['PAID'] })).toEqual(['X3']);
    expect(await refs(finance.client, { ...x, status: ['WRITTEN_OFF'] })).toEqual([]);
    expect(await refs(finance.client, { ...y, status: ['WRITTEN_OFF'] })).toEqual(['Y2']);
    expect(await refs(finance.client, { ...y, status: ['OPEN'] })).toEqual(['Y1']);
    expect(await refs(finance.client, { ...y, status: ['PAID'] })).toEqual([]);
    expect(await refs(finance.client, { ...x, status: ['OPEN', 'PAID'] })).toEqual(['X1', 'X3']);
    expect(await refs(finance.client, { ...x, status: [] })).toEqual(['X1', 'X2', 'X3']);

    const { receivables } = await finance.client.receivables({ first: 10, filter: { customerId: custX } });
    expect(receivables.edges.map((e) => [e.node.status, e.node.outstanding])).toEqual([
      ['OPEN', '100.00'],
      ['PARTIALLY_PAID', '150.00'],
      ['PAID', '0.00'],
    ]);
  });

  test('dueFrom and dueTo are inclusive', async () => {
    const x = { customerId: custX };
    expect(await refs(finance.client, { ...x, dueFrom: addDays(today, -30), dueTo: addDays(today, 20) })).toEqual(['X2', 'X3']);
    expect(await refs(finance.client, { ...x, dueFrom: addDays(today, 20) })).toEqual(['X3']);
    expect(await refs(finance.client, { ...x, dueFrom: addDays(today, 21) })).toEqual([]);
    expect(await refs(finance.client, { ...x, dueTo: addDays(today, -60) })).toEqual(['X1']);
    expect(await refs(finance.client, { ...x, dueTo: addDays(today, -61) })).toEqual([]);
    expect(await refs(finance.client, { ...x, dueFrom: addDays(today, -10), dueTo: addDays(today, -10) })).toEqual(['X2']);
  });

  test('overdue, with daysOverdue and overdueStage', async () => {
    expect(await refs(finance.client, { customerId: custX, overdue: true })).toEqual(['X1', 'X2']);
    expect(await refs(finance.client, { customerId: custX, overdue: false })).toEqual(['X3']);
    expect(await refs(finance.client, { customerId: custY, overdue: true })).toEqual([]);
    expect(await refs(finance.client, { customerId: custY, overdue: false })).toEqual(['Y2', 'Y1']);

    const { receivables } = await finance.client.receivables({ first: 10, filter: { customerId: custX } });
    const stageOf = (days: number) => [90, 60, 30, 1].find((s) => days >= s) ?? null;
    for (const [edge, dueOn] of receivables.edges.map((e, i) => [e, [addDays(today, -60), addDays(today, -10), addDays(today, 20)][i]] as const)) {
      const effective = calendar.effectiveDueOn(dueOn, 0);
      expect(edge.node.effectiveDueOn).toBe(effective);
      const days = edge.node.outstanding === '0.00' ? 0 : Math.max(0, daysBetween(effective, today));
      expect({ ref: edge.node.reference, daysOverdue: edge.node.daysOverdue, overdueStage: edge.node.overdueStage }).toEqual({
        ref: edge.node.reference,
        daysOverdue: days,
        overdueStage: stageOf(days),
      });
    }
    expect(receivables.edges[0].node.daysOverdue).toBeGreaterThanOrEqual(58);
    expect(receivables.edges[2].node.daysOverdue).toBe(0);
  });

  test('search is case-insensitive on the reference, wildcards literal', async () => {
    expect(await refs(finance.client, { search: `f-${u.toLowerCase()}-x` })).toEqual(['X1', 'X2', 'X3']);
    expect(await refs(finance.client, { search: `${u}-Y` })).toEqual(['Y2', 'Y1']);
    expect(await refs(finance.client, { search: ` ${u}-y1 ` })).toEqual(['Y1']);
    expect(await refs(finance.client, { search: `${u}_Y` })).toEqual([]);
    expect(await refs(finance.client, { search: `${u}%X` })).toEqual([]);
    expect(await refs(salesX.client, { search: u })).toEqual(['X1', 'X2', 'X3']);
  });

  test('pagination follows dueOn, then a stable tie-break, without gaps or duplicates', async () => {
    const page1 = await finance.client.receivables({ first: 2, filter: { customerId: custX } });
    expect(page1.receivables.edges.map((e) => e.node.id)).toEqual([ids.X1, ids.X2]);
    expect(page1.receivables.pageInfo).toEqual({ hasNextPage: true, endCursor: page1.receivables.edges[1].cursor });
    expect(page1.receivables.totalCount).toBe(3);
    const page2 = await finance.client.receivables({ first: 2, after: page1.receivables.pageInfo.endCursor, filter: { customerId: custX } });
    expect(page2.receivables.edges.map((e) => e.node.id)).toEqual([ids.X3]);
    expect(page2.receivables.pageInfo.hasNextPage).toBe(false);
    expect(page2.receivables.totalCount).toBe(3);

    // Five receivables on one due date: pages of 2 still give each exactly once.
    const same = await make.customer({ ownerId: salesX.id });
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      created.push((await make.receivable(same.id, { reference: `TIE-${i}`, amount: '1.00', issuedOn: '2027-04-01', dueOn: '2027-04-30' })).id);
    }
    const seen: string[] = [];
    let after: string | null | undefined;
    for (let guard = 0; guard < 5; guard++) {
      const { receivables }: Awaited<ReturnType<Client['receivables']>> = await finance.client.receivables({
        first: 2,
        after,
        filter: { customerId: same.id },
      });
      seen.push(...receivables.edges.map((e) => e.node.id));
      expect(receivables.totalCount).toBe(5);
      if (!receivables.pageInfo.hasNextPage) break;
      after = receivables.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual([...created].sort());

    await expectApiError(finance.client.receivables({ first: 2, after: 'not-a-cursor' }), 'BAD_USER_INPUT', 'after');
    await expectApiError(finance.client.receivables({ first: 500 }), 'BAD_USER_INPUT', 'first');
  });
});

describe('reportPaymentNotice', () => {
  let customerId: string;
  let receivableId: string;

  beforeAll(async () => {
    customerId = (await make.customer({ ownerId: sales.id })).id;
    receivableId = (await make.receivable(customerId, { reference: 'PN-1', amount: '600.00', issuedOn: addDays(today, -40) })).id;
  });

  test('SALES reports on their own receivable: OPEN, listed under the receivable', async () => {
    const claimed = addDays(today, -2);
    const { reportPaymentNotice } = await sales.client.reportPaymentNotice({
      input: { receivableId, claimedPaidOn: claimed, note: '  Customer says they paid by transfer ' },
    });
    expect(reportPaymentNotice).toMatchObject({
      claimedPaidOn: claimed,
      note: 'Customer says they paid by transfer',
      status: 'OPEN',
      receivable: { id: receivableId, reference: 'PN-1' },
      reportedBy: { id: sales.id, name: 'Rec Sales' },
    });

    const { receivable } = await sales.client.receivable({ id: receivableId });
    expect(receivable!.paymentNotices).toEqual([
      {
        id: reportPaymentNotice.id,
        claimedPaidOn: claimed,
        note: 'Customer says they paid by transfer',
        status: 'OPEN',
        createdAt: reportPaymentNotice.createdAt,
        createdOn: today,
        // Held today and the next PAYMENT_NOTICE_HOLD_DAYS (3) working days.
        holdUntil: new BusinessCalendar().addWorkingDays(today, 3),
        reportedBy: { id: sales.id, name: 'Rec Sales' },
      },
    ]);
    // Finance sees it too; the notice does not change the money.
    const { receivable: forFinance } = await finance.client.receivable({ id: receivableId });
    expect(forFinance).toMatchObject({ outstanding: '600.00', status: 'OPEN' });
    expect(forFinance!.paymentNotices.map((n) => n.id)).toEqual([reportPaymentNotice.id]);

    // Paid today is not in the future.
    const { reportPaymentNotice: todays } = await sales.client.reportPaymentNotice({ input: { receivableId, claimedPaidOn: today, note: 'today' } });
    expect(todays.claimedPaidOn).toBe(today);
  });

  test("another salesperson's receivable is NOT_FOUND; future dates and empty notes are BAD_USER_INPUT", async () => {
    const count = async () => (await server.sql<{ n: number }>('select count(*)::int as n from payment_notice where receivable_id = $1', [receivableId]))[0].n;
    const before = await count();
    await expectApiError(
      otherSales.client.reportPaymentNotice({ input: { receivableId, claimedPaidOn: today, note: 'not mine' } }),
      'NOT_FOUND',
      'input.receivableId',
    );
    await expectApiError(
      sales.client.reportPaymentNotice({ input: { receivableId: randomUUID(), claimedPaidOn: today, note: 'ghost' } }),
      'NOT_FOUND',
      'input.receivableId',
    );
    await expectApiError(
      sales.client.reportPaymentNotice({ input: { receivableId, claimedPaidOn: addDays(today, 1), note: 'tomorrow' } }),
      'BAD_USER_INPUT',
      'input.claimedPaidOn',
    );
    await expectApiError(
      sales.client.reportPaymentNotice({ input: { receivableId, claimedPaidOn: '2027-02-29', note: 'no such day' } }),
      'BAD_USER_INPUT',
      'input.claimedPaidOn',
    );
    await expectApiError(sales.client.reportPaymentNotice({ input: { receivableId, claimedPaidOn: today, note: '   ' } }), 'BAD_USER_INPUT', 'input.note');
    expect(await count()).toBe(before);
  });

  test('FINANCE and MANAGER are FORBIDDEN', async () => {
    const count = async () => (await server.sql<{ n: number }>('select count(*)::int as n from payment_notice where receivable_id = $1', [receivableId]))[0].n;
    const before = await count();
    await expectApiError(finance.client.reportPaymentNotice({ input: { receivableId, claimedPaidOn: today, note: 'finance' } }), 'FORBIDDEN');
    await expectApiError(manager.client.reportPaymentNotice({ input: { receivableId, claimedPaidOn: today, note: 'manager' } }), 'FORBIDDEN');
    expect(await count()).toBe(before);
  });
});
