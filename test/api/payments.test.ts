/**
 * Payments through the API: booking (automatic and explicit allocation), the booking-date
 * rules, idempotent retries, voiding, applying credit later, listing and reading back —
 * and, after everything, the ledger identities checked directly in the database.
 */
import { addDays } from '../../server/core/local-date';
import type { Client, PaymentFilter } from '../../sdk/index.js';
import { companyToday, factories, type Factories } from '../helpers/factories';
import { expectApiError, startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let sales: TestUser;
let finance: TestUser;
let fin: Client;
let make: Factories;
const today = companyToday();

beforeAll(async () => {
  server = await startTestServer();
  sales = await server.createUser('SALES');
  finance = await server.createUser('FINANCE');
  fin = finance.client;
  make = factories(server, { as: fin, today, ownerId: sales.id, defaults: { receivable: { issuedOn: addDays(today, -60) } } });
});
afterAll(() => server.close());

/** A receivable due on `dueOn`; every one starts fully outstanding and OPEN. */
async function newReceivable(customerId: string, amount: string, dueOn: string): Promise<string> {
  const created = await make.receivable(customerId, { amount, dueOn });
  expect(created.outstanding).toBe(amount);
  expect(created.status).toBe('OPEN');
  return created.id;
}

async function receivable(id: string) {
  const { receivable: r } = await fin.receivable({ id });
  if (!r) throw new Error(`receivable ${id} not visible`);
  return r;
}

async function customer(id: string) {
  const { customer: c } = await fin.customer({ id });
  if (!c) throw new Error(`customer ${id} not visible`);
  return c;
}

async function paymentRows(customerId: string): Promise<number> {
  const [row] = await server.sql<{ n: string }>('select count(*) as n from payment where customer_id = $1', [customerId]);
  return Number(row.n);
}

async function allocationRows(customerId: string): Promise<number> {
  const [row] = await server.sql<{ n: string }>(
    'select count(*) as n from payment_allocation a join payment p on p.id = a.payment_id where p.customer_id = $1',
    [customerId],
  );
  return Number(row.n);
}

describe('recordPayment, automatic allocation', () => {
  test('applies the money oldest due first; the rest is unallocated credit of the customer', async () => {
    const c = (await make.customer()).id;
    // Created out of due order, so the order of allocation is not creation order.
    const late = await newReceivable(c, '100.00', addDays(today, 10));
    const oldest = await newReceivable(c, '50.00', addDays(today, -5));
    const middle = await newReceivable(c, '80.00', addDays(today, 2));

    const first = await make.payment(c, { amount: '200.00' });
    expect(first.amount).toBe('200.00');
    expect(first.unallocated).toBe('0.00');
    expect(first.voided).toBe(false);
    expect(first.receivedOn).toBe(today);
    expect(first.bookingLagDays).toBe(0);
    expect(first.bookedBy.id).toBe(finance.id);
    expect(first.customer.id).toBe(c);
    const split = Object.fromEntries(first.allocations.map((a) => [a.receivable.id, a.amount]));
    expect(split).toEqual({ [oldest]: '50.00', [middle]: '80.00', [late]: '70.00' });

    expect(await receivable(oldest)).toMatchObject({ outstanding: '0.00', status: 'PAID' });
    expect(await receivable(middle)).toMatchObject({ outstanding: '0.00', status: 'PAID' });
    expect(await receivable(late)).toMatchObject({ outstanding: '30.00', status: 'PARTIALLY_PAID' });
    expect(await customer(c)).toMatchObject({ outstanding: '30.00', creditBalance: '0.00' });

    const second = await make.payment(c, { amount: '50.00' });
    expect(second.allocations.map((a) => [a.receivable.id, a.amount])).toEqual([[late, '30.00']]);
    expect(second.unallocated).toBe('20.00');
    expect(await receivable(late)).toMatchObject({ outstanding: '0.00', status: 'PAID' });
    expect(await customer(c)).toMatchObject({ outstanding: '0.00', creditBalance: '20.00' });

    // With nothing left to pay, the whole payment is credit.
    const third = await make.payment(c, { amount: '12.34' });
    expect(third.allocations).toEqual([]);
    expect(third.unallocated).toBe('12.34');
    expect((await customer(c)).creditBalance).toBe('32.34');
  });

  test('skips written-off receivables', async () => {
    const c = (await make.customer()).id;
    const writtenOff = await newReceivable(c, '40.00', addDays(today, -20));
    const open = await newReceivable(c, '25.00', addDays(today, -10));
    const partial = await make.payment(c, { amount: '15.00' });
    expect(partial.allocations.map((a) => [a.receivable.id, a.amount])).toEqual([[writtenOff, '15.00']]);
    const { writeOffReceivable } = await fin.writeOffReceivable({ id: writtenOff, reason: 'customer insolvent' });
    expect(writeOffReceivable).toMatchObject({ outstanding: '0.00', writtenOffAmount: '25.00', status: 'WRITTEN_OFF' });

    const recordPayment = await make.payment(c, { amount: '30.00' });
    expect(recordPayment.allocations.map((a) => [a.receivable.id, a.amount])).toEqual([[open, '25.00']]);
    expect(recordPayment.unallocated).toBe('5.00');
    expect((await customer(c)).creditBalance).toBe('5.00');
  });

  test('ADMIN may book payments too', async () => {
    const c = (await make.customer()).id;
    const r = await newReceivable(c, '10.00', today);
    const recordPayment = await make.as(server.admin).payment(c, { amount: '10.00' });
    expect(recordPayment.unallocated).toBe('0.00');
    expect((await receivable(r)).status).toBe('PAID');
  });
});

describe('recordPayment, explicit allocations', () => {
  test('splits exactly as asked; the rest is credit', async () => {
    const c = (await make.customer()).id;
    const r1 = await newReceivable(c, '100.00', addDays(today, -30));
    const r2 = await newReceivable(c, '100.00', addDays(today, 5));
    const recordPayment = await make.payment(c, {
      amount: '150.00',
      allocations: [
        { receivableId: r2, amount: '60.00' },
        { receivableId: r1, amount: '40.00' },
      ],
    });
    const split = Object.fromEntries(recordPayment.allocations.map((a) => [a.receivable.id, a.amount]));
    expect(split).toEqual({ [r1]: '40.00', [r2]: '60.00' });
    expect(recordPayment.unallocated).toBe('50.00');
    expect(await receivable(r1)).toMatchObject({ outstanding: '60.00', status: 'PARTIALLY_PAID' });
    expect(await receivable(r2)).toMatchObject({ outstanding: '40.00', status: 'PARTIALLY_PAID' });
    expect(await customer(c)).toMatchObject({ outstanding: '100.00', creditBalance: '50.00' });
  });

  test('an empty allocation list books the whole amount as credit', async () => {
    const c = (await make.customer()).id;
    const r = await newReceivable(c, '10.00', today);
    const recordPayment = await make.payment(c, { amount: '7.00', allocations: [] });
    expect(recordPayment.allocations).toEqual([]);
    expect(recordPayment.unallocated).toBe('7.00');
    expect((await receivable(r)).outstanding).toBe('10.00');
  });

  test('a receivable of another customer is NOT_FOUND and nothing is booked', async () => {
    const c = (await make.customer()).id;
    const other = (await make.customer()).id;
    const foreign = await newReceivable(other, '100.00', today);
    await expectApiError(
      make.payment(c, { amount: '10.00', allocations: [{ receivableId: foreign, amount: '10.00' }] }),
      'NOT_FOUND',
      'input.allocations.0.receivableId',
    );
    expect(await paymentRows(c)).toBe(0);
    expect((await receivable(foreign)).outstanding).toBe('100.00');
  });

  test('more than the outstanding amount is BAD_USER_INPUT EXCEEDS_OUTSTANDING', async () => {
    const c = (await make.customer()).id;
    const r = await newReceivable(c, '30.00', today);
    await expect(make.payment(c, { amount: '50.00', allocations: [{ receivableId: r, amount: '30.01' }] })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'EXCEEDS_OUTSTANDING',
      field: 'input.allocations.0.amount',
    });
    expect(await paymentRows(c)).toBe(0);
    expect((await receivable(r)).outstanding).toBe('30.00');
  });

  test('allocations adding up to more than the payment are BAD_USER_INPUT', async () => {
    const c = (await make.customer()).id;
    const r1 = await newReceivable(c, '100.00', today);
    const r2 = await newReceivable(c, '100.00', today);
    await expect(
      make.payment(c, {
        amount: '50.00',
        allocations: [
          { receivableId: r1, amount: '25.00' },
          { receivableId: r2, amount: '25.01' },
        ],
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.allocations', reason: 'ALLOCATIONS_EXCEED_PAYMENT' });
    expect(await paymentRows(c)).toBe(0);
    expect((await receivable(r1)).outstanding).toBe('100.00');
    expect((await receivable(r2)).outstanding).toBe('100.00');
  });

  test('zero and duplicate allocations are BAD_USER_INPUT', async () => {
    const c = (await make.customer()).id;
    const r = await newReceivable(c, '100.00', today);
    await expectApiError(
      make.payment(c, { amount: '50.00', allocations: [{ receivableId: r, amount: '0.00' }] }),
      'BAD_USER_INPUT',
      'input.allocations.0.amount',
    );
    await expectApiError(
      make.payment(c, {
        amount: '50.00',
        allocations: [
          { receivableId: r, amount: '10.00' },
          { receivableId: r, amount: '10.00' },
        ],
      }),
      'BAD_USER_INPUT',
      'input.allocations.1.receivableId',
    );
    expect(await paymentRows(c)).toBe(0);
  });
});

describe('recordPayment, dates and booking lag', () => {
  test('receivedOn in the future is BAD_USER_INPUT on input.receivedOn', async () => {
    const c = (await make.customer()).id;
    await expectApiError(make.payment(c, { amount: '10.00', receivedOn: addDays(today, 1) }), 'BAD_USER_INPUT', 'input.receivedOn');
    expect(await paymentRows(c)).toBe(0);
  });

  test('an amount of zero is BAD_USER_INPUT on input.amount', async () => {
    const c = (await make.customer()).id;
    await expectApiError(make.payment(c, { amount: '0.00' }), 'BAD_USER_INPUT', 'input.amount');
    expect(await paymentRows(c)).toBe(0);
  });

  test('a late booking needs a lagReason; with one the server records the lag and bookedAt', async () => {
    const c = (await make.customer()).id;
    const r = await newReceivable(c, '80.00', addDays(today, -20));
    const receivedOn = addDays(today, -14);
    await expect(make.payment(c, { amount: '80.00', receivedOn })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.lagReason',
      reason: 'LAG_REASON_REQUIRED',
    });
    await expect(make.payment(c, { amount: '80.00', receivedOn, lagReason: '   ' })).rejects.toMatchObject({ reason: 'LAG_REASON_REQUIRED' });
    expect(await paymentRows(c)).toBe(0);

    const before = Date.now();
    const recordPayment = await make.payment(c, { amount: '80.00', receivedOn, lagReason: 'finance was on holiday' });
    const after = Date.now();
    expect(recordPayment.receivedOn).toBe(receivedOn);
    expect(recordPayment.bookingLagDays).toBeGreaterThan(3);
    expect(recordPayment.lagReason).toBe('finance was on holiday');
    const bookedAt = new Date(recordPayment.bookedAt).getTime();
    expect(bookedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(bookedAt).toBeLessThanOrEqual(after + 1000);
    expect(await receivable(r)).toMatchObject({ outstanding: '0.00', status: 'PAID' });
  });

  test('a booking on the day the money arrived needs no reason', async () => {
    const c = (await make.customer()).id;
    const recordPayment = await make.payment(c, { amount: '1.00' });
    expect(recordPayment.bookingLagDays).toBe(0);
    expect(recordPayment.lagReason).toBeNull();
  });
});

describe('recordPayment, idempotency', () => {
  test('the same call twice returns the same payment and books it once', async () => {
    const c = (await make.customer()).id;
    const r = await newReceivable(c, '100.00', today);
    const input = { idempotencyKey: `idem-${c}` };
    const first = await make.payment(c, { amount: '40.00', ...input });
    const again = await make.payment(c, { amount: '40.00', ...input });
    expect(again.id).toBe(first.id);
    expect(again.amount).toBe('40.00');
    const rows = await server.sql<{ n: string }>('select count(*) as n from payment where idempotency_key = $1', [input.idempotencyKey]);
    expect(Number(rows[0].n)).toBe(1);
    expect(await paymentRows(c)).toBe(1);
    expect(await allocationRows(c)).toBe(1);
    expect((await receivable(r)).outstanding).toBe('60.00');
  });

  test('the same key for a different payment is CONFLICT', async () => {
    const c = (await make.customer()).id;
    const key = `idem-conflict-${c}`;
    const first = await make.payment(c, { amount: '40.00', idempotencyKey: key });
    await expectApiError(make.payment(c, { amount: '41.00', idempotencyKey: key }), 'CONFLICT');
    await expect(make.payment(c, { amount: '41.00', idempotencyKey: key })).rejects.toMatchObject({ field: 'input.idempotencyKey' });
    expect(await paymentRows(c)).toBe(1);
    const { payment } = await fin.payment({ id: first.id });
    expect(payment?.amount).toBe('40.00');
  });
});

describe('voidPayment', () => {
  test('restores outstanding, keeps the payment, refuses a second void and an empty reason', async () => {
    const c = (await make.customer()).id;
    const r1 = await newReceivable(c, '60.00', addDays(today, -10));
    const r2 = await newReceivable(c, '60.00', addDays(today, -5));
    const recordPayment = await make.payment(c, { amount: '100.00' });
    expect(await receivable(r1)).toMatchObject({ outstanding: '0.00', status: 'PAID' });
    expect(await receivable(r2)).toMatchObject({ outstanding: '20.00', status: 'PARTIALLY_PAID' });

    await expectApiError(fin.voidPayment({ id: recordPayment.id, reason: '' }), 'BAD_USER_INPUT', 'reason');
    await expectApiError(fin.voidPayment({ id: recordPayment.id, reason: '   ' }), 'BAD_USER_INPUT', 'reason');
    expect((await receivable(r1)).outstanding).toBe('0.00');

    const { voidPayment } = await fin.voidPayment({ id: recordPayment.id, reason: 'bounced' });
    expect(voidPayment).toMatchObject({ id: recordPayment.id, voided: true, voidReason: 'bounced', amount: '100.00' });
    expect(voidPayment.voidedAt).toBeTruthy();
    expect(await receivable(r1)).toMatchObject({ outstanding: '60.00', status: 'OPEN' });
    expect(await receivable(r2)).toMatchObject({ outstanding: '60.00', status: 'OPEN' });
    expect(await customer(c)).toMatchObject({ outstanding: '120.00', creditBalance: '0.00' });

    await expectApiError(fin.voidPayment({ id: recordPayment.id, reason: 'again' }), 'CONFLICT');
    expect((await receivable(r1)).outstanding).toBe('60.00');

    // Never deleted: still readable and listed, as voided.
    const { payment } = await fin.payment({ id: recordPayment.id });
    expect(payment).toMatchObject({ id: recordPayment.id, voided: true });
    const { payments } = await fin.payments({ filter: { customerId: c } });
    expect(payments.edges.map((e) => [e.node.id, e.node.voided])).toEqual([[recordPayment.id, true]]);
    expect(await paymentRows(c)).toBe(1);

    // The voided allocations are still shown on the receivable, marked through their payment.
    const { receivable: withAllocations } = await fin.receivableWithAllocations({ id: r1 });
    expect(withAllocations!.allocations.map((a) => [a.payment.id, a.payment.voided, a.amount])).toEqual([[recordPayment.id, true, '60.00']]);

    // A new payment allocates again, oldest due first.
    const replacement = await make.payment(c, { amount: '90.00' });
    const split = Object.fromEntries(replacement.allocations.map((a) => [a.receivable.id, a.amount]));
    expect(split).toEqual({ [r1]: '60.00', [r2]: '30.00' });
    expect(replacement.unallocated).toBe('0.00');
    expect(await receivable(r1)).toMatchObject({ outstanding: '0.00', status: 'PAID' });
    expect(await receivable(r2)).toMatchObject({ outstanding: '30.00', status: 'PARTIALLY_PAID' });
  });

  test('voiding a payment with credit removes the credit from the customer', async () => {
    const c = (await make.customer()).id;
    const recordPayment = await make.payment(c, { amount: '25.00' });
    expect((await customer(c)).creditBalance).toBe('25.00');
    await fin.voidPayment({ id: recordPayment.id, reason: 'duplicate booking' });
    expect((await customer(c)).creditBalance).toBe('0.00');
  });
});

describe('allocatePayment', () => {
  test('applies existing credit to a new receivable, oldest due first and explicitly', async () => {
    const c = (await make.customer()).id;
    const credit = await make.payment(c, { amount: '50.00' });
    expect(credit.unallocated).toBe('50.00');

    const later = await newReceivable(c, '30.00', addDays(today, 20));
    const sooner = await newReceivable(c, '15.00', addDays(today, 3));
    const { allocatePayment: auto } = await fin.allocatePayment({ id: credit.id });
    const split = Object.fromEntries(auto.allocations.map((a) => [a.receivable.id, a.amount]));
    expect(split).toEqual({ [sooner]: '15.00', [later]: '30.00' });
    expect(auto.unallocated).toBe('5.00');
    expect(await receivable(sooner)).toMatchObject({ outstanding: '0.00', status: 'PAID' });
    expect(await receivable(later)).toMatchObject({ outstanding: '0.00', status: 'PAID' });
    expect((await customer(c)).creditBalance).toBe('5.00');

    const third = await newReceivable(c, '20.00', addDays(today, 1));
    await expect(fin.allocatePayment({ id: credit.id, allocations: [{ receivableId: third, amount: '5.01' }] })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'allocations',
    });
    const { allocatePayment: explicit } = await fin.allocatePayment({ id: credit.id, allocations: [{ receivableId: third, amount: '5.00' }] });
    expect(explicit.unallocated).toBe('0.00');
    expect(explicit.allocations).toHaveLength(3);
    expect((await receivable(third)).outstanding).toBe('15.00');
    expect((await customer(c)).creditBalance).toBe('0.00');

    await expect(fin.allocatePayment({ id: credit.id })).rejects.toMatchObject({ code: 'CONFLICT', reason: 'NO_CREDIT' });
  });

  test('adding to an earlier allocation of the same payment keeps one allocation per receivable', async () => {
    const c = (await make.customer()).id;
    const r = await newReceivable(c, '100.00', today);
    const recordPayment = await make.payment(c, { amount: '50.00', allocations: [{ receivableId: r, amount: '20.00' }] });
    const { allocatePayment } = await fin.allocatePayment({ id: recordPayment.id, allocations: [{ receivableId: r, amount: '30.00' }] });
    expect(allocatePayment.allocations.map((a) => [a.receivable.id, a.amount])).toEqual([[r, '50.00']]);
    expect(allocatePayment.unallocated).toBe('0.00');
    expect((await receivable(r)).outstanding).toBe('50.00');
  });

  test('a voided payment cannot be allocated', async () => {
    const c = (await make.customer()).id;
    const recordPayment = await make.payment(c, { amount: '10.00' });
    await fin.voidPayment({ id: recordPayment.id, reason: 'wrong customer' });
    await newReceivable(c, '10.00', today);
    await expect(fin.allocatePayment({ id: recordPayment.id })).rejects.toMatchObject({ code: 'CONFLICT', reason: 'PAYMENT_VOIDED' });
  });
});

describe('reading payments', () => {
  let c: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    c = (await make.customer()).id;
    const dates: Record<string, string> = {
      d0a: today,
      d0b: today,
      d1: addDays(today, -1),
      d12: addDays(today, -12),
      d20: addDays(today, -20),
      d30: addDays(today, -30),
    };
    for (const [name, receivedOn] of Object.entries(dates)) {
      const recordPayment = await make.payment(c, { amount: '1.00', receivedOn, lagReason: 'booked in a batch', reference: name });
      ids[name] = recordPayment.id;
    }
    await fin.voidPayment({ id: ids.d12, reason: 'bounced' });
    // Another customer's payment must not show up under the customerId filter.
    await make.payment((await make.customer()).id, { amount: '1.00' });
  });

  async function allPages(filter: PaymentFilter, first: number) {
    const seen: { id: string; receivedOn: string; cursor: string }[] = [];
    let after: string | null | undefined;
    let totalCount = -1;
    for (let page = 0; page < 20; page++) {
      const { payments } = await fin.payments({ first, after, filter });
      totalCount = payments.totalCount;
      expect(payments.edges.length).toBeLessThanOrEqual(first);
      seen.push(...payments.edges.map((e) => ({ id: e.node.id, receivedOn: e.node.receivedOn, cursor: e.cursor })));
      if (!payments.pageInfo.hasNextPage) {
        return { seen, totalCount };
      }
      expect(payments.pageInfo.endCursor).toBe(payments.edges[payments.edges.length - 1].cursor);
      after = payments.pageInfo.endCursor;
    }
    throw new Error('pagination did not end');
  }

  test('lists latest receivedOn first, across cursor pages, without gaps or duplicates', async () => {
    const { seen, totalCount } = await allPages({ customerId: c }, 2);
    expect(totalCount).toBe(6);
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map((s) => s.id))).toEqual(new Set(Object.values(ids)));
    const dates = seen.map((s) => s.receivedOn);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(seen.slice(2).map((s) => s.id)).toEqual([ids.d1, ids.d12, ids.d20, ids.d30]);
    expect(new Set(seen.slice(0, 2).map((s) => s.id))).toEqual(new Set([ids.d0a, ids.d0b]));

    // The same order in one page.
    const { payments } = await fin.payments({ first: 10, filter: { customerId: c } });
    expect(payments.edges.map((e) => e.node.id)).toEqual(seen.map((s) => s.id));
    expect(payments.pageInfo.hasNextPage).toBe(false);
  });

  test('filters by voided and by the receivedOn range (inclusive)', async () => {
    const voided = await fin.payments({ filter: { customerId: c, voided: true } });
    expect(voided.payments.edges.map((e) => e.node.id)).toEqual([ids.d12]);
    expect(voided.payments.totalCount).toBe(1);

    const valid = await fin.payments({ filter: { customerId: c, voided: false } });
    expect(valid.payments.totalCount).toBe(5);
    expect(valid.payments.edges.map((e) => e.node.id)).not.toContain(ids.d12);
    expect(valid.payments.edges.every((e) => !e.node.voided)).toBe(true);

    const range = await fin.payments({ filter: { customerId: c, receivedFrom: addDays(today, -20), receivedTo: addDays(today, -1) } });
    expect(range.payments.edges.map((e) => e.node.id)).toEqual([ids.d1, ids.d12, ids.d20]);

    const from = await fin.payments({ filter: { customerId: c, receivedFrom: today } });
    expect(new Set(from.payments.edges.map((e) => e.node.id))).toEqual(new Set([ids.d0a, ids.d0b]));

    const to = await fin.payments({ filter: { customerId: c, receivedTo: addDays(today, -20), voided: false } });
    expect(to.payments.edges.map((e) => e.node.id)).toEqual([ids.d20, ids.d30]);

    const paged = await allPages({ customerId: c, voided: false, receivedTo: addDays(today, -1) }, 1);
    expect(paged.seen.map((s) => s.id)).toEqual([ids.d1, ids.d20, ids.d30]);
    expect(paged.totalCount).toBe(3);
  });

  test('payment(id) returns the booking; unknown ids return null', async () => {
    const { payment } = await fin.payment({ id: ids.d20 });
    expect(payment).toMatchObject({
      id: ids.d20,
      amount: '1.00',
      unallocated: '1.00',
      receivedOn: addDays(today, -20),
      method: 'BANK_TRANSFER',
      reference: 'd20',
      lagReason: 'booked in a batch',
      voided: false,
      customer: { id: c },
      bookedBy: { id: finance.id },
    });
    const { payment: missing } = await fin.payment({ id: '00000000-0000-4000-8000-000000000000' });
    expect(missing).toBeNull();
  });

  test('receivable.allocations name the payment and the amount', async () => {
    const cust = (await make.customer()).id;
    const r = await newReceivable(cust, '100.00', today);
    const p1 = await make.payment(cust, { amount: '30.00' });
    const p2 = await make.payment(cust, { amount: '45.50' });
    const data = await fin.request<{ receivable: { outstanding: string; allocations: { amount: string; payment: { id: string } }[] } }, { id: string }>(
      'query ($id: ID!) { receivable(id: $id) { outstanding allocations { amount payment { id } } } }',
      { id: r },
    );
    expect(data.receivable.outstanding).toBe('24.50');
    const byPayment = Object.fromEntries(data.receivable.allocations.map((a) => [a.payment.id, a.amount]));
    expect(byPayment).toEqual({ [p1.id]: '30.00', [p2.id]: '45.50' });
  });
});

describe('ledger identities', () => {
  test('every receivable and payment balances against its allocations', async () => {
    const receivables = await server.sql<{ id: string; outstanding: string; expected: string }>(
      `select r.id, r.outstanding::text as outstanding,
              (r.amount - coalesce(sum(a.amount) filter (where p.voided_at is null), 0) - r.written_off_amount)::text as expected
         from receivable r
         left join payment_allocation a on a.receivable_id = r.id
         left join payment p on p.id = a.payment_id
        group by r.id`,
    );
    expect(receivables.length).toBeGreaterThan(20);
    expect(receivables.filter((r) => Number(r.outstanding) !== Number(r.expected))).toEqual([]);

    const payments = await server.sql<{ id: string; unallocated: string; expected: string }>(
      `select p.id, p.unallocated::text as unallocated, (p.amount - coalesce(sum(a.amount), 0))::text as expected
         from payment p
         left join payment_allocation a on a.payment_id = p.id
        group by p.id`,
    );
    expect(payments.length).toBeGreaterThan(20);
    expect(payments.filter((p) => Number(p.unallocated) !== Number(p.expected))).toEqual([]);

    const [negative] = await server.sql<{ n: string }>(
      'select (select count(*) from receivable where outstanding < 0) + (select count(*) from payment where unallocated < 0) as n',
    );
    expect(Number(negative.n)).toBe(0);
  });
});
