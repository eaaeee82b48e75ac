/**
 * Bad input through the API: malformed money and dates, unknown ids and invalid
 * documents are answered with BAD_USER_INPUT or NOT_FOUND (never an internal error),
 * name the offending field, carry no stack trace, and change nothing in the database.
 */
import { addDays } from '../../server/core/local-date';
import { HuikuanError, type GraphQLErrorEntry } from '../../sdk/index.js';
import { companyToday, factories } from '../helpers/factories';
import { startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let sales: TestUser;
let customerId: string;
let receivableId: string;
let paymentId: string;
let countsBefore: Record<string, number>;
const today = companyToday();
const TABLES = ['customer', 'receivable', 'payment', 'payment_allocation', 'payment_notice'];
/** Every error entry the server answered in this file, checked for stack traces at the end. */
const answeredErrors: GraphQLErrorEntry[] = [];

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await server.sql<{ n: string }>(`select count(*) as n from ${table}`);
    counts[table] = Number(row.n);
  }
  return counts;
}

beforeAll(async () => {
  server = await startTestServer();
  sales = await server.createUser('SALES');
  const make = factories(server, { today });
  const { customer, receivable } = await make.customerWithReceivable(
    { reference: 'INV-1', amount: '100.00', issuedOn: addDays(today, -10) },
    { code: 'BAD-1', name: 'Bad input customer', ownerId: sales.id, creditLimit: '1000.00' },
  );
  customerId = customer.id;
  receivableId = receivable.id;
  paymentId = (await make.payment(customerId, { amount: '10.00', method: 'CASH', allocations: [] })).id;
  countsBefore = await rowCounts();
});
afterAll(() => server.close());

/** Runs a call that must fail; returns the API error and keeps its entries for the stack-trace check. */
async function failure(call: Promise<unknown>): Promise<HuikuanError> {
  let caught: unknown;
  try {
    await call;
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof HuikuanError)) throw new Error(`expected a HuikuanError, got ${caught === undefined ? 'success' : JSON.stringify(caught)}`);
  answeredErrors.push(...caught.errors);
  return caught;
}

async function expectError(call: Promise<unknown>, code: string, field?: string): Promise<HuikuanError> {
  const error = await failure(call);
  expect({ code: error.code, ...(field === undefined ? {} : { field: error.field }) }).toEqual({ code, ...(field === undefined ? {} : { field }) });
  return error;
}

const RECORD_PAYMENT = 'mutation ($input: RecordPaymentInput!) { recordPayment(input: $input) { id } }';
const CREATE_RECEIVABLE = 'mutation ($input: CreateReceivableInput!) { createReceivable(input: $input) { id } }';
const CREATE_CUSTOMER = 'mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }';

const BAD_MONEY: unknown[] = ['-5', '1.005', '1e3', 'NaN', '', '12,50', 12.5];

let uniq = 0;
const paymentInput = () => ({ customerId, amount: '1.00', receivedOn: today, method: 'CASH' });
const receivableInput = () => ({ customerId, reference: `BAD-INV-${++uniq}`, amount: '1.00', issuedOn: today });
const customerInput = () => ({ code: `BAD-C-${++uniq}`, name: 'Never created', ownerId: sales.id, creditTermDays: 30, creditLimit: '1.00' });

describe('Money', () => {
  const viaVariables: [string, string, (value: unknown) => Record<string, unknown>, string][] = [
    ['recordPayment amount', RECORD_PAYMENT, (v) => ({ ...paymentInput(), amount: v }), 'input.amount'],
    [
      'recordPayment allocation amount',
      RECORD_PAYMENT,
      (v) => ({ ...paymentInput(), amount: '50.00', allocations: [{ receivableId, amount: v }] }),
      'input.allocations.0.amount',
    ],
    ['createReceivable amount', CREATE_RECEIVABLE, (v) => ({ ...receivableInput(), amount: v }), 'input.amount'],
    ['createCustomer creditLimit', CREATE_CUSTOMER, (v) => ({ ...customerInput(), creditLimit: v }), 'input.creditLimit'],
  ];

  for (const [name, document, input, field] of viaVariables) {
    test.each(BAD_MONEY.map((v) => [JSON.stringify(v), v]))(`${name} %s in variables is BAD_USER_INPUT`, async (_label, value) => {
      await expectError(server.admin.request(document, { input: input(value) }), 'BAD_USER_INPUT', field);
    });
  }

  /** A GraphQL literal: strings quoted, numbers as they are. */
  const literal = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  const INLINE_MONEY: unknown[] = [...BAD_MONEY, -5, 1e3, 12];

  test.each(INLINE_MONEY.map((v) => [literal(v), v]))('recordPayment amount %s as a literal is BAD_USER_INPUT', async (_label, value) => {
    const query = `mutation { recordPayment(input: { customerId: "${customerId}", amount: ${literal(value)}, receivedOn: "${today}", method: CASH }) { id } }`;
    await expectError(server.admin.request(query), 'BAD_USER_INPUT');
  });

  test.each(INLINE_MONEY.map((v) => [literal(v), v]))('createReceivable amount %s as a literal is BAD_USER_INPUT', async (_label, value) => {
    const query = `mutation { createReceivable(input: { customerId: "${customerId}", reference: "LIT-${++uniq}", amount: ${literal(value)}, issuedOn: "${today}" }) { id } }`;
    await expectError(server.admin.request(query), 'BAD_USER_INPUT');
  });

  test.each(INLINE_MONEY.map((v) => [literal(v), v]))('createCustomer creditLimit %s as a literal is BAD_USER_INPUT', async (_label, value) => {
    const query = `mutation { createCustomer(input: { code: "LIT-${++uniq}", name: "x", ownerId: "${sales.id}", creditTermDays: 30, creditLimit: ${literal(value)} }) { id } }`;
    await expectError(server.admin.request(query), 'BAD_USER_INPUT');
  });

  test('through the typed SDK the same values are BAD_USER_INPUT on input.amount', async () => {
    for (const amount of ['-5', '1.005', '1e3', 'NaN', '', '12,50']) {
      await expectError(server.admin.recordPayment({ input: { ...paymentInput(), method: 'CASH', amount } }), 'BAD_USER_INPUT', 'input.amount');
    }
  });
});

describe('LocalDate', () => {
  const BAD_DATES = ['2026-02-30', '2026/01/01', 'yesterday'];
  const cases: [string, string, (value: string) => Record<string, unknown>, string][] = [
    ['recordPayment receivedOn', RECORD_PAYMENT, (v) => ({ input: { ...paymentInput(), receivedOn: v } }), 'input.receivedOn'],
    ['createReceivable issuedOn', CREATE_RECEIVABLE, (v) => ({ input: { ...receivableInput(), issuedOn: v } }), 'input.issuedOn'],
    ['createReceivable dueOn', CREATE_RECEIVABLE, (v) => ({ input: { ...receivableInput(), dueOn: v } }), 'input.dueOn'],
    [
      'payments filter receivedFrom',
      'query ($filter: PaymentFilter) { payments(filter: $filter) { totalCount } }',
      (v) => ({ filter: { receivedFrom: v } }),
      'filter.receivedFrom',
    ],
  ];
  for (const [name, document, variables, field] of cases) {
    test.each(BAD_DATES)(`${name} %s is BAD_USER_INPUT`, async (value) => {
      await expectError(server.admin.request(document, variables(value)), 'BAD_USER_INPUT', field);
    });
  }

  test.each(BAD_DATES)('receivedOn %s as a literal is BAD_USER_INPUT', async (value) => {
    const query = `mutation { recordPayment(input: { customerId: "${customerId}", amount: "1.00", receivedOn: "${value}", method: CASH }) { id } }`;
    await expectError(server.admin.request(query), 'BAD_USER_INPUT');
  });
});

describe('unknown ids', () => {
  const UNKNOWN_IDS = ['6f1c2f4e-9d7b-4c1a-8e3f-2b5a7c9d0e1f', 'abc'];

  test.each(UNKNOWN_IDS)('customerId %s is NOT_FOUND', async (id) => {
    await expectError(server.admin.recordPayment({ input: { ...paymentInput(), method: 'CASH', customerId: id } }), 'NOT_FOUND', 'input.customerId');
    await expectError(server.admin.createReceivable({ input: { ...receivableInput(), customerId: id } }), 'NOT_FOUND', 'input.customerId');
    expect((await server.admin.customer({ id })).customer).toBeNull();
  });

  test.each(UNKNOWN_IDS)('receivableId %s is NOT_FOUND', async (id) => {
    await expectError(
      server.admin.recordPayment({ input: { ...paymentInput(), method: 'CASH', amount: '5.00', allocations: [{ receivableId: id, amount: '5.00' }] } }),
      'NOT_FOUND',
      'input.allocations.0.receivableId',
    );
    await expectError(server.admin.writeOffReceivable({ id, reason: 'never' }), 'NOT_FOUND', 'id');
    await expectError(server.admin.reportPaymentNotice({ input: { receivableId: id, claimedPaidOn: today, note: 'paid' } }), 'NOT_FOUND', 'input.receivableId');
    await expectError(sales.client.reportPaymentNotice({ input: { receivableId: id, claimedPaidOn: today, note: 'paid' } }), 'NOT_FOUND', 'input.receivableId');
    await expectError(
      server.admin.allocatePayment({ id: paymentId, allocations: [{ receivableId: id, amount: '1.00' }] }),
      'NOT_FOUND',
      'allocations.0.receivableId',
    );
    expect((await server.admin.receivable({ id })).receivable).toBeNull();
  });

  test.each(UNKNOWN_IDS)('payment id %s is NOT_FOUND', async (id) => {
    await expectError(server.admin.voidPayment({ id, reason: 'never' }), 'NOT_FOUND', 'id');
    await expectError(server.admin.allocatePayment({ id }), 'NOT_FOUND', 'id');
    expect((await server.admin.payment({ id })).payment).toBeNull();
  });

  test.each(UNKNOWN_IDS)('ownerId %s of a new customer is NOT_FOUND', async (id) => {
    await expectError(server.admin.createCustomer({ input: { ...customerInput(), ownerId: id } }), 'NOT_FOUND', 'input.ownerId');
  });

  test.each(UNKNOWN_IDS)('filtering by customerId %s finds nothing', async (id) => {
    const { payments } = await server.admin.payments({ filter: { customerId: id } });
    expect(payments.totalCount).toBe(0);
    const { receivables } = await server.admin.receivables({ filter: { customerId: id } });
    expect(receivables.totalCount).toBe(0);
  });

  test.each(UNKNOWN_IDS)('filtering by salespersonId or ownerId %s finds nothing', async (id) => {
    const { receivables } = await server.admin.receivables({ filter: { salespersonId: id } });
    expect(receivables.totalCount).toBe(0);
    const { customers } = await server.admin.customers({ filter: { ownerId: id } });
    expect(customers.totalCount).toBe(0);
  });
});

describe('invalid documents', () => {
  test('an unknown field in a query is BAD_USER_INPUT', async () => {
    await expectError(server.admin.request('{ me { id noSuchField } }'), 'BAD_USER_INPUT');
    await expectError(server.admin.request('{ noSuchQuery }'), 'BAD_USER_INPUT');
  });

  test('an unknown input field, a bad enum value or a missing variable is BAD_USER_INPUT', async () => {
    await expectError(server.admin.request(RECORD_PAYMENT, { input: { ...paymentInput(), colour: 'red' } }), 'BAD_USER_INPUT');
    await expectError(server.admin.request(RECORD_PAYMENT, { input: { ...paymentInput(), method: 'WIRE' } }), 'BAD_USER_INPUT', 'input.method');
    await expectError(server.admin.request(RECORD_PAYMENT, { input: { ...paymentInput(), amount: undefined } }), 'BAD_USER_INPUT');
    await expectError(server.admin.request(RECORD_PAYMENT, {}), 'BAD_USER_INPUT', 'input');
  });

  test('a syntax error is BAD_USER_INPUT', async () => {
    await expectError(server.admin.request('mutation { recordPayment(input: { '), 'BAD_USER_INPUT');
  });
});

describe('afterwards', () => {
  test('no error carried a stack trace', async () => {
    expect(answeredErrors.length).toBeGreaterThan(100);
    for (const error of answeredErrors) {
      expect(error.extensions ?? {}).not.toHaveProperty('stacktrace');
      expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
      expect(error.message).not.toMatch(/\n\s+at /);
    }
  });

  test('nothing was written', async () => {
    expect(await rowCounts()).toEqual(countsBefore);
  });
});
