/**
 * The payment service in-process: how recordPayment splits money over a customer's
 * receivables (oldest due first, or exactly as asked), that an allocation never exceeds
 * a receivable's outstanding nor the payment, that the rest stays as customer credit,
 * and that a void makes what the payment paid outstanding again.
 *
 * Today is Monday 15 March 2027; every payment arrives today, so no lag reason is needed.
 */
import type { Principal } from '../../server/core/auth';
import { formatMoney } from '../../server/core/money';
import { openServiceScope, type ServiceScope } from '../helpers/service-scope';

let scope: ServiceScope;
let sales: Principal;
let finance: Principal;

beforeAll(async () => {
  scope = await openServiceScope({ today: '2027-03-15' });
  sales = await scope.createUser('SALES');
  finance = await scope.createUser('FINANCE');
});
afterAll(() => scope?.close());

/** Outstanding by reference, read back in a fresh unit of work. */
async function outstanding(ids: Record<string, string>): Promise<Record<string, string>> {
  const { services } = scope.unit();
  const result: Record<string, string> = {};
  for (const [reference, id] of Object.entries(ids)) {
    result[reference] = formatMoney((await services.receivables.getVisible(finance, id)).outstanding);
  }
  return result;
}

/** A payment's allocations as [reference, amount, voided], in due order. */
async function allocationsOf(paymentId: string): Promise<[string, string, boolean][]> {
  const rows = await scope.sql<{ reference: string; amount: string; voided: boolean }>(
    `select r.reference, a.amount::text as amount, a.voided
       from payment_allocation a join receivable r on r.id = a.receivable_id
      where a.payment_id = $1 order by r.due_on, r.reference`,
    [paymentId],
  );
  return rows.map((r) => [r.reference, r.amount, r.voided]);
}

async function balances(customerId: string) {
  const b = await scope.unit().loaders.customerBalances.load(customerId);
  return { outstanding: b.outstanding, credit: b.credit };
}

async function paymentCount(customerId: string): Promise<number> {
  const [row] = await scope.sql<{ n: number }>('select count(*)::int as n from payment where customer_id = $1', [customerId]);
  return row.n;
}

describe('oldest due first, the rest as credit, and a void', () => {
  let customerId: string;
  const ids: Record<string, string> = {};
  let first: string;
  let second: string;

  beforeAll(async () => {
    customerId = (await scope.make.customer(sales)).id;
    // Issued out of due order, so allocation order cannot be creation order.
    for (const [reference, amount, dueOn] of [
      ['LATE', '100.00', '2027-03-25'],
      ['OLDEST', '50.00', '2027-03-10'],
      ['MIDDLE', '80.00', '2027-03-17'],
    ]) {
      ids[reference] = (await scope.make.receivable(customerId, { reference, amount, dueOn })).id;
    }
  });

  test('200.00 pays OLDEST 50.00 and MIDDLE 80.00 in full and LATE 70.00 of 100.00', async () => {
    const payment = await scope.make.payment(customerId, { amount: '200.00' }, finance);
    first = payment.id;
    expect(formatMoney(payment.unallocated)).toBe('0.00');
    expect(payment.bookingLagDays).toBe(0);
    expect(await allocationsOf(first)).toEqual([
      ['OLDEST', '50.00', false],
      ['MIDDLE', '80.00', false],
      ['LATE', '70.00', false],
    ]);
    expect(await outstanding(ids)).toEqual({ LATE: '30.00', OLDEST: '0.00', MIDDLE: '0.00' });
    expect(await balances(customerId)).toEqual({ outstanding: '30.00', credit: '0.00' });
  });

  test('50.00 pays the last 30.00 of LATE; 20.00 stays as credit', async () => {
    const payment = await scope.make.payment(customerId, { amount: '50.00' }, finance);
    second = payment.id;
    expect(formatMoney(payment.unallocated)).toBe('20.00');
    expect(await allocationsOf(second)).toEqual([['LATE', '30.00', false]]);
    expect(await outstanding(ids)).toEqual({ LATE: '0.00', OLDEST: '0.00', MIDDLE: '0.00' });
    expect(await balances(customerId)).toEqual({ outstanding: '0.00', credit: '20.00' });
  });

  test('with nothing left to pay, 12.34 is all credit', async () => {
    const payment = await scope.make.payment(customerId, { amount: '12.34' }, finance);
    expect(formatMoney(payment.unallocated)).toBe('12.34');
    expect(await allocationsOf(payment.id)).toEqual([]);
    expect(await balances(customerId)).toEqual({ outstanding: '0.00', credit: '32.34' });
  });

  test('voiding the 200.00 makes its 50.00 + 80.00 + 70.00 outstanding again; the other payments stand', async () => {
    const voided = await scope.unit().services.payments.void(finance, first, 'bounced');
    expect(voided.voidedAt).not.toBeNull();
    expect(voided.voidReason).toBe('bounced');
    expect(await allocationsOf(first)).toEqual([
      ['OLDEST', '50.00', true],
      ['MIDDLE', '80.00', true],
      ['LATE', '70.00', true],
    ]);
    expect(await allocationsOf(second)).toEqual([['LATE', '30.00', false]]);
    expect(await outstanding(ids)).toEqual({ LATE: '70.00', OLDEST: '50.00', MIDDLE: '80.00' });
    expect(await balances(customerId)).toEqual({ outstanding: '200.00', credit: '32.34' });

    await expect(scope.unit().services.payments.void(finance, first, 'again')).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'ALREADY_VOIDED',
    });
    expect(await outstanding(ids)).toEqual({ LATE: '70.00', OLDEST: '50.00', MIDDLE: '80.00' });
  });

  test('the 20.00 credit of the second payment then goes to the oldest due', async () => {
    const payment = await scope.unit().services.payments.allocateCredit(finance, second, undefined);
    expect(formatMoney(payment.unallocated)).toBe('0.00');
    expect(await allocationsOf(second)).toEqual([
      ['OLDEST', '20.00', false],
      ['LATE', '30.00', false],
    ]);
    expect(await outstanding(ids)).toEqual({ LATE: '70.00', OLDEST: '30.00', MIDDLE: '80.00' });
    expect(await balances(customerId)).toEqual({ outstanding: '180.00', credit: '12.34' });
  });
});

describe('explicit allocations', () => {
  let customerId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    customerId = (await scope.make.customer(sales)).id;
    ids.R1 = (await scope.make.receivable(customerId, { reference: 'R1', amount: '100.00', dueOn: '2027-03-01' })).id;
    ids.R2 = (await scope.make.receivable(customerId, { reference: 'R2', amount: '100.00', dueOn: '2027-03-20' })).id;
  });

  test('150.00 split as asked, 60.00 to the later R2 and 40.00 to R1; 50.00 stays as credit', async () => {
    const payment = await scope.make.payment(
      customerId,
      {
        amount: '150.00',
        allocations: [
          { receivableId: ids.R2, amount: '60.00' },
          { receivableId: ids.R1, amount: '40.00' },
        ],
      },
      finance,
    );
    expect(formatMoney(payment.unallocated)).toBe('50.00');
    expect(await allocationsOf(payment.id)).toEqual([
      ['R1', '40.00', false],
      ['R2', '60.00', false],
    ]);
    expect(await outstanding(ids)).toEqual({ R1: '60.00', R2: '40.00' });
    expect(await balances(customerId)).toEqual({ outstanding: '100.00', credit: '50.00' });
  });

  test('one cent above a receivable’s 60.00 outstanding is refused and books nothing', async () => {
    const before = await paymentCount(customerId);
    await expect(scope.make.payment(customerId, { amount: '100.00', allocations: [{ receivableId: ids.R1, amount: '60.01' }] }, finance)).rejects.toMatchObject(
      { code: 'BAD_USER_INPUT', reason: 'EXCEEDS_OUTSTANDING', field: 'input.allocations.0.amount' },
    );
    expect(await paymentCount(customerId)).toBe(before);
    expect(await outstanding(ids)).toEqual({ R1: '60.00', R2: '40.00' });
  });

  test('allocations of 30.00 + 30.01 on a 60.00 payment are refused and book nothing', async () => {
    const before = await paymentCount(customerId);
    await expect(
      scope.make.payment(
        customerId,
        {
          amount: '60.00',
          allocations: [
            { receivableId: ids.R1, amount: '30.00' },
            { receivableId: ids.R2, amount: '30.01' },
          ],
        },
        finance,
      ),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', reason: 'ALLOCATIONS_EXCEED_PAYMENT', field: 'input.allocations' });
    expect(await paymentCount(customerId)).toBe(before);
    expect(await outstanding(ids)).toEqual({ R1: '60.00', R2: '40.00' });
  });

  test('exactly the outstanding amounts settle both receivables', async () => {
    const payment = await scope.make.payment(
      customerId,
      {
        amount: '100.00',
        allocations: [
          { receivableId: ids.R1, amount: '60.00' },
          { receivableId: ids.R2, amount: '40.00' },
        ],
      },
      finance,
    );
    expect(formatMoney(payment.unallocated)).toBe('0.00');
    expect(await outstanding(ids)).toEqual({ R1: '0.00', R2: '0.00' });
    expect(await balances(customerId)).toEqual({ outstanding: '0.00', credit: '50.00' });
  });
});
