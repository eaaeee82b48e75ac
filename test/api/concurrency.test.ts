/**
 * Concurrent bookings through the API: allocations never exceed a receivable's
 * outstanding nor a payment's amount, retries with one idempotency key book once, a
 * failing multi-row write leaves nothing behind, and parallel voids restore once.
 */
import { addDays } from '../../server/core/local-date';
import { HuikuanError, type Client, type PaymentFieldsFragment } from '../../sdk/index.js';
import { companyToday, factories, type Factories } from '../helpers/factories';
import { expectApiError, startTestServer, TestServer, TestUser, USER_PASSWORD } from '../helpers/server';

let server: TestServer;
let sales: TestUser;
let fin: Client;
let make: Factories;
const today = companyToday();

beforeAll(async () => {
  server = await startTestServer();
  sales = await server.createUser('SALES');
  fin = (await server.createUser('FINANCE')).client;
  make = factories(server, { as: fin, today, ownerId: sales.id, defaults: { receivable: { issuedOn: addDays(today, -30), dueOn: today } } });
});
afterAll(() => server.close());

async function outstanding(receivableId: string): Promise<string> {
  const { receivable } = await fin.receivable({ id: receivableId });
  return receivable!.outstanding;
}

/** One row of numbers from SQL, as exact decimal strings. */
async function one(sql: string, params: unknown[]): Promise<Record<string, string>> {
  const [row] = await server.sql<Record<string, string>>(sql, params);
  return row;
}

function settle<T>(calls: Promise<T>[]) {
  return Promise.allSettled(calls);
}

test('(a) 50 parallel payments without allocations pay a receivable exactly once', async () => {
  const c = (await make.customer()).id;
  const r = (await make.receivable(c, { amount: '100.00' })).id;
  const results = await settle(Array.from({ length: 50 }, () => make.payment(c, { amount: '3.00' })));
  const failed = results.filter((x) => x.status === 'rejected');
  expect(failed.map((x) => x.reason)).toEqual([]);
  const payments = results.map((x) => (x as PromiseFulfilledResult<PaymentFieldsFragment>).value);
  expect(new Set(payments.map((p) => p.id)).size).toBe(50);

  expect(await outstanding(r)).toBe('0.00');
  expect(await one('select sum(amount)::text as s, count(*)::int as n from payment_allocation where receivable_id = $1', [r])).toEqual({ s: '100.00', n: 34 });
  expect(
    await one(
      `select count(*)::int as n, sum(amount)::text as amount, sum(unallocated)::text as unallocated, min(unallocated)::text as lowest
         from payment where customer_id = $1`,
      [c],
    ),
  ).toEqual({ n: 50, amount: '150.00', unallocated: '50.00', lowest: '0.00' });

  // What the API answered agrees with the database.
  const answered = payments.map((p) => Math.round(Number(p.unallocated) * 100));
  expect(answered.reduce((a, b) => a + b, 0)).toBe(5000);
  expect(answered.every((u) => u >= 0)).toBe(true);
  expect(answered.filter((u) => u === 0)).toHaveLength(33);
  expect(answered.filter((u) => u === 200)).toHaveLength(1);
  expect(answered.filter((u) => u === 300)).toHaveLength(16);
  const { customer } = await fin.customer({ id: c });
  expect(customer).toMatchObject({ outstanding: '0.00', creditBalance: '50.00' });
});

test('(b) 50 parallel explicit allocations of 3.00 to 100.00: 33 succeed, 17 are refused', async () => {
  const c = (await make.customer()).id;
  const r = (await make.receivable(c, { amount: '100.00' })).id;
  const results = await settle(Array.from({ length: 50 }, () => make.payment(c, { amount: '3.00', allocations: [{ receivableId: r, amount: '3.00' }] })));
  const ok = results.filter((x) => x.status === 'fulfilled');
  const refused = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((x) => x.reason as HuikuanError);
  expect(ok).toHaveLength(33);
  expect(refused).toHaveLength(17);
  for (const error of refused) {
    expect(error).toBeInstanceOf(HuikuanError);
    expect({ code: error.code, reason: error.reason, field: error.field }).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'EXCEEDS_OUTSTANDING',
      field: 'input.allocations.0.amount',
    });
  }

  expect(await outstanding(r)).toBe('1.00');
  expect(await one('select count(*)::int as n, sum(amount)::text as s from payment_allocation where receivable_id = $1', [r])).toEqual({
    n: 33,
    s: '99.00',
  });
  expect(await one('select count(*)::int as n, sum(unallocated)::text as unallocated from payment where customer_id = $1', [c])).toEqual({
    n: 33,
    unallocated: '0.00',
  });
});

test('(c) 20 parallel retries with one idempotency key book one payment', async () => {
  const c = (await make.customer()).id;
  const r = (await make.receivable(c, { amount: '100.00' })).id;
  const key = `retry-${c}`;
  const results = await settle(Array.from({ length: 20 }, () => make.payment(c, { amount: '30.00', idempotencyKey: key })));
  const failed = results.filter((x) => x.status === 'rejected');
  expect(failed.map((x) => x.reason)).toEqual([]);
  const ids = new Set(results.map((x) => (x as PromiseFulfilledResult<PaymentFieldsFragment>).value.id));
  expect(ids.size).toBe(1);

  expect(await one('select count(*)::int as n from payment where idempotency_key = $1', [key])).toEqual({ n: 1 });
  expect(await one('select count(*)::int as n from payment where customer_id = $1', [c])).toEqual({ n: 1 });
  expect(await one('select count(*)::int as n, sum(amount)::text as s from payment_allocation where receivable_id = $1', [r])).toEqual({
    n: 1,
    s: '30.00',
  });
  expect(await outstanding(r)).toBe('70.00');
  const { payment } = await fin.payment({ id: [...ids][0] });
  expect(payment).toMatchObject({ amount: '30.00', unallocated: '0.00', voided: false });
});

describe('(d) multi-row writes are one transaction', () => {
  async function nothingBooked(c: string, r1: string) {
    expect(await one('select count(*)::int as n from payment where customer_id = $1', [c])).toEqual({ n: 0 });
    expect(await one('select count(*)::int as n from payment_allocation a join receivable r on r.id = a.receivable_id where r.customer_id = $1', [c])).toEqual({
      n: 0,
    });
    expect(await outstanding(r1)).toBe('100.00');
  }

  test('a second allocation above its outstanding leaves no payment and no allocation', async () => {
    const c = (await make.customer()).id;
    const r1 = (await make.receivable(c, { amount: '100.00', dueOn: addDays(today, -5) })).id;
    const r2 = (await make.receivable(c, { amount: '20.00' })).id;
    await expect(
      make.payment(c, {
        amount: '60.00',
        allocations: [
          { receivableId: r1, amount: '10.00' },
          { receivableId: r2, amount: '20.01' },
        ],
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EXCEEDS_OUTSTANDING', field: 'input.allocations.1.amount' });
    await nothingBooked(c, r1);
    expect(await outstanding(r2)).toBe('20.00');
  });

  test("a second allocation to another customer's receivable leaves no payment and no allocation", async () => {
    const c = (await make.customer()).id;
    const r1 = (await make.receivable(c, { amount: '100.00' })).id;
    const foreign = (await make.receivable((await make.customer()).id, { amount: '50.00' })).id;
    await expectApiError(
      make.payment(c, {
        amount: '60.00',
        allocations: [
          { receivableId: r1, amount: '10.00' },
          { receivableId: foreign, amount: '10.00' },
        ],
      }),
      'NOT_FOUND',
      'input.allocations.1.receivableId',
    );
    await nothingBooked(c, r1);
    expect(await outstanding(foreign)).toBe('50.00');
  });

  test('two parallel voids: one succeeds, one is CONFLICT, outstanding is restored once', async () => {
    const c = (await make.customer()).id;
    const r1 = (await make.receivable(c, { amount: '100.00', dueOn: addDays(today, -5) })).id;
    const r2 = (await make.receivable(c, { amount: '100.00' })).id;
    const recordPayment = await make.payment(c, { amount: '150.00' });
    expect(await outstanding(r1)).toBe('0.00');
    expect(await outstanding(r2)).toBe('50.00');

    const results = await settle([
      fin.voidPayment({ id: recordPayment.id, reason: 'bounced' }),
      fin.voidPayment({ id: recordPayment.id, reason: 'bounced, said the bank too' }),
    ]);
    const ok = results.filter((x) => x.status === 'fulfilled');
    const refused = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((x) => x.reason as HuikuanError);
    expect(ok).toHaveLength(1);
    expect(refused.map((e) => e.code)).toEqual(['CONFLICT']);

    expect(await outstanding(r1)).toBe('100.00');
    expect(await outstanding(r2)).toBe('100.00');
    const { payment } = await fin.payment({ id: recordPayment.id });
    expect(payment).toMatchObject({ voided: true, amount: '150.00' });
    expect(await one('select count(*)::int as n from payment where id = $1 and voided_at is not null', [recordPayment.id])).toEqual({ n: 1 });
  });

  test('a void racing new bookings: every allocation lands on fresh balances', async () => {
    const c = (await make.customer()).id;
    const r = (await make.receivable(c, { amount: '100.00' })).id;
    const first = await make.payment(c, { amount: '60.00' });
    expect(await outstanding(r)).toBe('40.00');
    const results = await settle<unknown>([
      fin.voidPayment({ id: first.id, reason: 'duplicate' }),
      ...Array.from({ length: 10 }, () => make.payment(c, { amount: '10.00' })),
    ]);
    expect(results.filter((x) => x.status === 'rejected').map((x) => x.reason)).toEqual([]);
    // Whatever the order: 100.00 owed and 100.00 of valid money booked, so what is still
    // owed equals the credit left over (a void does not re-apply credit by itself).
    const { allocated } = await one(
      `select coalesce(sum(a.amount) filter (where p.voided_at is null), 0)::text as allocated
         from payment_allocation a join payment p on p.id = a.payment_id where a.receivable_id = $1`,
      [r],
    );
    const left = (100 - Number(allocated)).toFixed(2);
    expect(await outstanding(r)).toBe(left);
    const { customer } = await fin.customer({ id: c });
    expect(customer).toMatchObject({ outstanding: left, creditBalance: left });
    expect(
      await one('select sum(unallocated)::text as credit, min(unallocated)::text as lowest from payment where customer_id = $1 and voided_at is null', [c]),
    ).toEqual({ credit: left, lowest: expect.any(String) });
    // Applying the credit settles it.
    const { payments } = await fin.payments({ filter: { customerId: c, voided: false, hasUnallocated: true }, first: 50 });
    for (const edge of payments.edges) await fin.allocatePayment({ id: edge.node.id });
    expect(await outstanding(r)).toBe('0.00');
    expect((await fin.customer({ id: c })).customer).toMatchObject({ outstanding: '0.00', creditBalance: '0.00' });
  });
});

test('(e) parallel createUser calls with one e-mail: one user, the others CONFLICT EMAIL_TAKEN', async () => {
  const email = `twin-${Date.now()}@test.example`;
  const attempts = await Promise.allSettled(
    Array.from({ length: 6 }, (_, i) => server.admin.createUser({ input: { email, name: `Twin ${i}`, role: 'SALES', password: USER_PASSWORD } })),
  );
  const created = attempts.filter((a) => a.status === 'fulfilled');
  const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected').map((a) => a.reason as HuikuanError);
  expect(created).toHaveLength(1);
  expect(refused).toHaveLength(5);
  for (const error of refused) {
    expect(error).toBeInstanceOf(HuikuanError);
    expect({ code: error.code, reason: error.reason, field: error.field }).toEqual({ code: 'CONFLICT', reason: 'EMAIL_TAKEN', field: 'input.email' });
  }
  const [{ n }] = await server.sql<{ n: number }>('select count(*)::int as n from app_user where email = $1', [email]);
  expect(n).toBe(1);
});
