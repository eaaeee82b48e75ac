/**
 * Bank statements through importPayments (issue 12), the seed case again: a line that
 * names an invoice is matched and paid to it, one from a known payer account is matched
 * to its customer, and an unmatched one waits in the suspense list until FINANCE applies
 * it a week later. Its receivedOn stays the value date, so the receivable it paid is
 * never overdue for that week: not in the aging report of any day, not in the scan.
 */
import { addDays } from '../../server/core/local-date';
import type { Client } from '../../sdk/index.js';
import { factories, uniqueCode, type Factories } from '../helpers/factories';
import { expectApiError, startTestServer, type TestServer, type TestUser } from '../helpers/server';

// A Monday: the week after it has five working days and no holiday.
const D0 = '2026-11-16';
const WEEK_LATER = addDays(D0, 7);
let server: TestServer;
let finance: TestUser;
let fin: Client;
let make: Factories;

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: D0, WEEKLY_ANALYSIS_AT: 'off' });
  finance = await server.createUser('FINANCE');
  fin = finance.client;
  make = factories(server, { as: fin, today: D0 });
});
afterAll(() => server.close());

test('invoice reference, payer account, and a line applied a week later that never made its receivable overdue', async () => {
  const lateSales = await server.createUser('SALES', 'Suspense Sales');
  const byRef = await make.customer();
  const older = await make.receivable(byRef.id, { amount: '300.00', issuedOn: addDays(D0, -40), dueOn: addDays(D0, -3) });
  const invoice = await make.receivable(byRef.id, { amount: '1000.00', issuedOn: addDays(D0, -10), dueOn: addDays(D0, 20) });

  const account = '6222 0000 1111 2222';
  const byAccountCode = uniqueCode('BA');
  const imported = (
    await fin.importCustomers({
      options: { source: 'ERP', mode: 'APPLY' },
      rows: [
        {
          externalId: byAccountCode,
          code: byAccountCode,
          name: 'Payer Account Ltd',
          ownerEmail: lateSales.email,
          creditTermDays: 30,
          creditLimit: '0.00',
          payerAccounts: [account],
        },
      ],
    })
  ).importCustomers;
  const byAccount = imported.rows[0].id!;
  const accountItem = await make.receivable(byAccount, { amount: '200.00', issuedOn: addDays(D0, -5), dueOn: addDays(D0, 10) });

  const late = await make.as(fin).customer({ ownerId: lateSales.id });
  // Due on Wednesday; the money arrives on Monday; the bank line names nobody huikuan knows.
  const lateItem = await make.receivable(late.id, { amount: '500.00', issuedOn: addDays(D0, -28), dueOn: addDays(D0, 2) });
  expect(lateItem.effectiveDueOn).toBe(addDays(D0, 2));

  const rows = [
    {
      externalId: 'L1',
      valueDate: D0,
      amount: '1000.00',
      payerName: 'Someone',
      payerAccount: '9999',
      reference: `payment for invoice ${invoice.reference.toLowerCase()}, thanks`,
    },
    { externalId: 'L2', valueDate: D0, amount: '200.00', payerName: 'Payer Account Ltd', payerAccount: '6222-0000-1111-2222', reference: 'NOV' },
    { externalId: 'L3', valueDate: D0, amount: '500.00', payerName: '张三', payerAccount: '8888 7777', reference: '货款' },
  ];
  const dry = (await fin.importPayments({ options: { source: 'BANK-ICBC', mode: 'DRY_RUN' }, rows })).importPayments;
  expect(dry.rows.map((r) => r.matchedBy)).toEqual(['INVOICE_REFERENCE', 'PAYER_ACCOUNT', null]);
  expect((await fin.receivable({ id: invoice.id })).receivable?.outstanding).toBe('1000.00');

  const result = (await fin.importPayments({ options: { source: 'BANK-ICBC', mode: 'APPLY' }, rows })).importPayments;
  expect(result.rows.map((r) => [r.status, r.matchedBy, r.paymentId !== null])).toEqual([
    ['CREATED', 'INVOICE_REFERENCE', true],
    ['CREATED', 'PAYER_ACCOUNT', true],
    ['CREATED', null, false],
  ]);
  // The referenced invoice is paid, not the older one (oldest-due-first is for the rest).
  expect((await fin.receivable({ id: invoice.id })).receivable).toMatchObject({ outstanding: '0.00', status: 'PAID' });
  expect((await fin.receivable({ id: older.id })).receivable?.outstanding).toBe('300.00');
  expect((await fin.receivable({ id: accountItem.id })).receivable?.outstanding).toBe('0.00');
  const payment = (await fin.payment({ id: result.rows[0].paymentId! })).payment!;
  expect(payment).toMatchObject({ receivedOn: D0, method: 'BANK_TRANSFER', bookingLagDays: 0, amount: '1000.00' });

  // The same statement again changes nothing; a changed line is refused (bank lines are history).
  const again = (await fin.importPayments({ options: { source: 'BANK-ICBC', mode: 'APPLY' }, rows })).importPayments;
  expect(again.rows.map((r) => r.status)).toEqual(['UNCHANGED', 'UNCHANGED', 'UNCHANGED']);
  const changed = (await fin.importPayments({ options: { source: 'BANK-ICBC', mode: 'APPLY' }, rows: [{ ...rows[0], amount: '999.00' }] })).importPayments;
  expect(changed.rows[0]).toMatchObject({ status: 'ERROR', field: 'amount', reason: 'IMPORT_FIELD_LOCKED' });

  // A week later finance finds the line in the suspense list and applies it.
  await server.restart({ CLOCK_DATE: WEEK_LATER, WEEKLY_ANALYSIS_AT: 'off' });
  const suspense = (await fin.unappliedBankLines({ first: 50 })).unappliedBankLines;
  const line = suspense.nodes.find((l) => l.externalId === 'L3')!;
  expect(line).toMatchObject({ valueDate: D0, amount: '500.00', paymentId: null });
  await expectApiError(fin.applyBankLine({ lineId: line.id, customerId: late.id }), 'BAD_USER_INPUT', 'lagReason');
  const applied = (await fin.applyBankLine({ lineId: line.id, customerId: late.id, lagReason: 'unknown payer account, found in the suspense list' }))
    .applyBankLine;
  expect(applied).toMatchObject({ matchedBy: 'MANUAL', valueDate: D0 });
  const booked = (await fin.payment({ id: applied.paymentId! })).payment!;
  expect(booked).toMatchObject({ receivedOn: D0, bookingLagDays: 5 });
  expect((await fin.unappliedBankLines({ first: 50 })).unappliedBankLines.nodes.map((l) => l.id)).not.toContain(line.id);
  await expectApiError(fin.applyBankLine({ lineId: line.id, customerId: late.id, lagReason: 'again' }), 'CONFLICT');
  // The account is known now: the next line from it finds the customer by itself.
  expect((await fin.customerPayerAccounts({ id: late.id })).customer?.payerAccounts).toEqual(['88887777']);

  // Never overdue that week, in any figure: the aging report of every day and the scan.
  for (let day = D0; day <= WEEK_LATER; day = addDays(day, 1)) {
    const { agingReport } = await fin.agingReport({ asOf: day, salespersonId: lateSales.id });
    expect([day, agingReport.overdueCount, agingReport.d1to30]).toEqual([day, 0, '0.00']);
  }
  const scan = await make.overdueScan(WEEK_LATER);
  expect(scan.ran).toBe(true);
  const { receivable } = await fin.receivable({ id: lateItem.id });
  expect(receivable).toMatchObject({ outstanding: '0.00', overdueStage: null, daysOverdue: 0 });
  const events = await fin.overdueEvents({ first: 50, filter: { customerId: late.id } });
  expect(events.overdueEvents.totalCount).toBe(0);
});

test('SALES may not see or apply the suspense list', async () => {
  const sales = await server.createUser('SALES');
  await expectApiError(sales.client.unappliedBankLines({}), 'FORBIDDEN');
  await expectApiError(sales.client.importPayments({ options: { source: 'BANK', mode: 'DRY_RUN' }, rows: [] }), 'FORBIDDEN');
});

test('a line larger than several open items pays them all, oldest due first; the rest is credit', async () => {
  const customer = await make.customer();
  const items = [];
  for (let i = 0; i < 20; i++) items.push(await make.receivable(customer.id, { amount: '10.00', issuedOn: addDays(D0, -60), dueOn: addDays(D0, -40 + i) }));
  const result = (
    await fin.importPayments({
      options: { source: 'BANK-BIG', mode: 'APPLY', lagReason: 'statement imported late' },
      rows: [
        { externalId: 'BIG-1', valueDate: D0, amount: '195.00', reference: `${customer.code} payment` },
        { externalId: 'BIG-2', valueDate: D0, amount: '20.00', reference: `${customer.code} payment` },
      ],
    })
  ).importPayments;
  expect(result.rows.map((r) => r.matchedBy)).toEqual(['CUSTOMER_CODE', 'CUSTOMER_CODE']);
  const outstanding = await Promise.all(items.map(async (r) => (await fin.receivable({ id: r.id })).receivable!.outstanding));
  expect(outstanding).toEqual([...Array(20).fill('0.00')]);
  const second = (await fin.payment({ id: result.rows[1].paymentId! })).payment!;
  expect([second.unallocated, second.allocations.map((a) => a.amount)]).toEqual(['15.00', ['5.00']]);
});
